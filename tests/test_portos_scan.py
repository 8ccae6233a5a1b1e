"""The model of PortOS's detector on the quirks of JavaScript it inherits (what each case lists is
worked out by reading PortOS's parseEcosystemConfig and JavaScript's rules, not by running it).

The fixtures under fixtures/portos/ cover one rule of the scan each; these cases are the ones a
Python re-implementation gets wrong by default: JavaScript's ``\\s`` and ``trim()``, ``/i`` on
non-ASCII letters, object key order, ``__proto__``, and values that are not numbers.
"""
import pytest

from portlint.model.portos_scan import OPAQUE, STEPS, Origin, scan


def listed(text: str) -> list[tuple]:
    return [(a.name, a.port, list(a.ports.items())) for a in scan(text)]


@pytest.mark.parametrize("space", ["\u00a0", "\u2028", "\ufeff", "\u3000", "\u205f"])
def test_javascript_white_space_separates_like_a_space(space):
    text = f"module.exports = {{ apps: [{{{space}name:{space}'api', env: {{ PORT:{space}5570 }} }}] }};"
    assert listed(text) == [("api", 5570, [("api", 5570)])]


def test_trim_removes_what_javascript_trims():
    text = "module.exports = { apps: [{ name: 'api', env: { PORT: 5570\ufeff } }] };"
    assert listed(text) == [("api", 5570, [("api", 5570)])]


def test_integer_like_labels_come_first_as_in_a_javascript_object():
    text = "module.exports = { apps: [{ name: 'web', ports: { web: 5573, 10: 5574 } }] };"
    assert listed(text) == [("web", 5574, [("10", 5574), ("web", 5573)])]


def test_a_proto_key_sets_no_label():
    text = "module.exports = { apps: [{ name: 'svc', ports: { __proto__: 5571, api: 5572 } }] };"
    assert listed(text) == [("svc", 5572, [("api", 5572)])]


def test_case_insensitive_vite_matches_ascii_letters_only():
    # a dotless i upper-cases to I, but JavaScript's /i (without the u flag) does not fold it
    api = "{ name: 'api', env: { PORT: 5570 } }"
    dotless = f"module.exports = {{ apps: [{api}, {{ name: 'web-ui', script: 'v\u0131te', env: {{ UI_PORT: 5571 }} }}] }};"
    assert listed(dotless)[1] == ("web-ui", 5571, [("ui", 5571)])
    mixed = dotless.replace("v\u0131te", "bin/ViTe")
    assert listed(mixed)[1] == ("web-ui", 5571, [("devUi", 5571)])


def test_a_nested_ports_object_as_a_value_takes_the_label_but_lists_no_port():
    text = ("const PORTS = { server: { api: 5555 }, UI: 5557 };\n"
            "module.exports = { apps: [\n"
            "  { name: 'svc', env: { PORT: 5560 }, env_production: { PORT: PORTS.server }, args: '--port 5561' },\n"
            "  { name: 'web', script: 'vite', env: { VITE_PORT: PORTS.UI } },\n] };")
    svc, web = scan(text)
    assert svc.slots == {"api": OPAQUE} and svc.ports == {} and svc.port is None and svc.stage == "env"
    assert web.ports == {"devUi": 5557}  # the object is truthy: the file "has an api port"


def test_inherited_names_are_values_too():
    svc, = scan("module.exports = { apps: [{ name: 'svc', env: { PORT: constructor }, port: 5562 }] };")
    assert svc.slots == {"api": OPAQUE} and svc.ports == {}


def test_zero_is_dropped_from_env_but_kept_by_a_ports_object():
    a, b = scan("module.exports = { apps: [{ name: 'a', env: { PORT: 0 }, port: 5562 },\n"
                "{ name: 'b', ports: { api: 0 }, env: { PORT: 5563 } }] };")
    assert a.ports == {"api": 5562} and a.stage == "port"
    assert b.slots == {"api": 0} and b.ports == {} and b.stage == "ports"


def test_each_label_remembers_where_it_came_from():
    text = ("module.exports = { apps: [\n"
            "  { name: 'api', env: { PORT: 5570, HTTPS_PORT: 5571 }, env_production: { HTTPS_PORT: 5572 } },\n"
            "  { name: 'web', script: 'vite', env: { VITE_PORT: 5573, VITE_API_PORT: 5570 } },\n"
            "  { name: 'plain', args: '--port 5574' },\n  { name: 'edge', ports: { admin: 5575 } },\n] };")
    api, web, plain, edge = scan(text)
    assert api.origins == {"api": Origin("env", "PORT", "env"), "https": Origin("env", "HTTPS_PORT", "env_production")}
    assert api.ports == {"api": 5570, "https": 5572}
    assert web.ports == {"viteApi": 5570, "devUi": 5573}  # devUi is set last, after the relabel
    assert web.origins["devUi"] == Origin("env", "VITE_PORT", "env")
    assert plain.origins == {"ui": Origin("args", "--port")} and edge.origins == {"admin": Origin("ports", "admin")}


def test_the_steps_are_numbered_once_for_messages_readme_and_explain():
    from pathlib import Path

    from portlint.report.catalog import explain_rule
    from portlint.rules.pl5_labels import InvisibleToPortos

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    explained = " ".join(explain_rule(InvisibleToPortos).split())
    assert len(STEPS) == 11
    for number, step in enumerate(STEPS, 1):
        assert f"{number}. {step}" in readme
        assert f"{number}. {step}" in explained  # --explain PL502 reads the same list
