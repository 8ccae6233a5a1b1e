"""Numbers from untrusted input (issue 28, "Numbers"): a number with thousands of digits — in a JS
config, a YAML config, a URL or a settings file — is a normal value or a one-line error naming the
file and key, never "PL001 please report", a rule that crashed, or an empty JSON report.

Python refuses to print an int of more than 4,300 digits and to turn one above ~1.8e308 into a float;
``portlint.numbers`` is the one place that converts, and these tests feed it through the real CLI.
"""
import json
import math

import pytest

from conftest import run_portlint

DIGITS = "9" * 5000
HEX = "0x" + "f" * 4000  # 4,816 decimal digits: Python parses it, and then cannot print it


def lint_json(tmp_path, name: str, text: str) -> list[dict]:
    (tmp_path / name).write_text(text)
    proc = run_portlint(name, "--no-cache", "--format", "json", cwd=tmp_path)
    assert proc.stderr == "" and proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


def messages(report: list[dict]) -> list[str]:
    return [f"{d['code']} {d['message']}" for d in report]


@pytest.mark.parametrize("literal", [DIGITS, HEX, "1e400", DIGITS + ".5"])
def test_a_js_port_with_thousands_of_digits_is_infinity_and_a_pl105(tmp_path, literal):
    report = lint_json(tmp_path, "ecosystem.config.cjs",
                       f"module.exports = {{ apps: [{{ name: 'api', script: 'a.js', env: {{ PORT: {literal} }} }}] }};\n")
    assert "PL105 api gets the float Infinity from env.PORT, which is not a port; use an integer from 1 to 65535" \
        in messages(report)
    assert not any(d["code"] == "PL001" for d in report)


def test_a_ports_entry_of_20000_binary_digits_is_read_in_linear_time(tmp_path):
    # the PortOS scan's entry pattern used to backtrack through the whole word: 10 s, then a PL001
    report = lint_json(tmp_path, "ecosystem.config.cjs",
                       f"const PORTS = {{\n  API: 0b{'1' * 20000}, // api\n}};\n"
                       "module.exports = { PORTS, apps: [{ name: 'api', script: 'a.js', env: { PORT: PORTS.API } }] };\n")
    assert "PL105 PORTS.API is the float Infinity, not a port; use an integer from 1 to 65535" in messages(report)
    assert not any(d["code"] == "PL001" for d in report)


@pytest.mark.parametrize("scalar", [DIGITS, HEX, "9" * 4000])
def test_a_yaml_port_with_thousands_of_digits_is_infinity_and_a_pl105(tmp_path, scalar):
    # js-yaml (PM2's reader) makes these Numbers: Infinity; PyYAML cannot even read the first one
    report = lint_json(tmp_path, "ecosystem.config.yaml", f"apps:\n  - name: api\n    script: a.js\n    env:\n      PORT: {scalar}\n")
    assert [d["code"] for d in report] == ["PL101", "PL105"]  # never [] after two crashed rules
    assert report[1]["message"].startswith("api gets the float Infinity from env.PORT")
    assert report[1]["location"] == {"row": 5, "column": 13}


def test_a_url_port_with_thousands_of_digits_is_read_like_any_other(tmp_path):
    report = lint_json(tmp_path, "ecosystem.config.cjs",
                       "module.exports = { apps: [{ name: 'api', script: 'a.js', env: { PORT: 5575, "
                       f"API_URL: 'http://localhost:{DIGITS}/v1' }} }}] }};\n")
    assert "PL105 api gets the float Infinity from env.API_URL, which is not a port; use an integer from 1 to 65535" \
        in messages(report)


@pytest.mark.parametrize("name, table, key", [
    ("portlint.toml", f"cpus = {HEX}\n", "cpus"),
    ("portlint.toml", f'ranges = {{ core = "5554-5560", reserved = "5561-5569", user = [{HEX}, 5] }}\n', "ranges.user[0]"),
    ("portlint.toml", "well-known-ports = [22, 99999999999999999999]\n", "well-known-ports[1]"),
    ("pyproject.toml", f"[tool.portlint]\nmax-seconds-per-file = {HEX}\n", "max-seconds-per-file"),
])
def test_a_settings_file_with_a_huge_integer_is_one_line_naming_the_file_and_key(tmp_path, name, table, key):
    (tmp_path / name).write_text(table)
    (tmp_path / "ecosystem.config.cjs").write_text("module.exports = { apps: [] };\n")
    proc = run_portlint(".", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == f"portlint: {tmp_path / name}: {key}: an integer out of TOML's 64-bit range\n"


def test_the_safe_conversions():
    from portlint.numbers import digits_to_number, js_number, oversized_integers

    assert js_number(2**53 - 1) == 2**53 - 1 and isinstance(js_number(2**53 - 1), int)
    assert js_number(2**53 + 1) == 2.0**53 and isinstance(js_number(2**53 + 1), float)  # rounded, as a double
    assert js_number(int(HEX, 16)) == math.inf and js_number(-int(HEX, 16)) == -math.inf
    assert js_number(5.0) == 5 and isinstance(js_number(5.0), int)
    assert digits_to_number("1" + "0" * 5000) == math.inf  # never Python's "Exceeds the limit (4300 digits)"
    assert digits_to_number("0" * 5000 + "42") == 42
    assert digits_to_number("1" + "0" * 307) == 1e307  # finite: 308 digits is still a double
    assert digits_to_number("ff", 16) == 255
    assert list(oversized_integers({"a": [1, 2**70], "b": {"c": -2**63, "d": -2**63 - 1}}, "t")) == ["t.a[1]", "t.b.d"]
