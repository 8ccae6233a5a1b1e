"""--explain in plain text, docs/rules.md in Markdown: settings named as settings files name them, defaults shown."""
from conftest import ROOT, run_portlint


def explain(code: str) -> str:
    proc = run_portlint("--explain", code)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_explain_is_plain_text_for_every_rule(registry):
    for code in registry.rules:
        text = explain(code)
        assert "``" not in text, f"{code}: reStructuredText markup in --explain"
        assert "_ports" not in text and "per_file" not in text, f"{code}: a setting in snake_case"
        long = [line for line in text.splitlines() if len(line) > 100 and not line.startswith("    ")]
        assert not long, f"{code}: prose lines over 100 characters: {long}"


def test_pl502_prose_is_one_wrapped_paragraph_not_a_broken_line():
    lines = explain("PL502").splitlines()
    # the docstring broke a line after "and every"; the terminal text is filled again
    assert "values, and every" not in [line.strip()[-len("values, and every"):] for line in lines]
    assert all(len(line) > 40 for line in lines[4:12] if line), lines[4:12]


def test_pl301_shows_the_well_known_ports_and_its_settings():
    text = explain("PL301")
    assert "allowed-ports makes exceptions" in " ".join(text.split())
    settings = text.split("Settings (default values):", 1)[1]
    assert "well-known-ports: 1-1023, " in settings
    for port in ("3000-3001", "5173", "5432", "8080-8081", "27017"):  # the spec's well-known ports
        assert port in settings
    assert "allowed-ports: none" in settings and "extend-well-known-ports: none" in settings


def test_range_and_label_rules_show_their_defaults():
    assert "ranges: core 5554-5560, reserved 5561-5569, user 5570-5599" in explain("PL202")
    assert "role: auto" in explain("PL202")
    assert "labels: api, ui, cdp, health, ws, db" in explain("PL501")


def test_docs_rules_md_is_markdown():
    md = (ROOT / "docs" / "rules.md").read_text()
    assert "``" not in md.replace("```", "")
    assert "`allowed-ports` makes exceptions" in " ".join(md.split())
    assert "| `well-known-ports` | 1-1023, 1433," in md
    assert md.count("```js") >= 40 and "**Bad:**" in md and "**Good:**" in md
