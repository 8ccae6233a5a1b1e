"""The port map, the next free block, and the live PortOS apps list (--portos-url)."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import FIXTURES, run_portlint

VALID = FIXTURES / "valid"


def test_map_json_lists_every_port_with_where_and_why():
    proc = run_portlint("--map", "--format", "json", str(VALID / "fork-instances"), str(VALID / "api-vite-ui"))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    rows = {(r["process"], r["port"]): r for r in data["ports"]}
    worker = rows[("render-worker", 5595)]
    assert worker["label"] == "api" and worker["source"] == "env.PORT"
    assert worker["description"] == "first worker; the next two take 5596 and 5597"
    assert worker["file"].endswith("fork-instances/ecosystem.config.cjs") and worker["row"] == 16
    assert rows[("render-worker", 5597)]["source"] == "instance 3 of increment_var PORT"
    assert rows[("notes-ui", 5581)]["label"] == "devUi"
    assert {(r["process"], r["port"], r["connection"]) for r in data["connections"]} == {("notes-api", 5432, True)}
    assert all(set(r) == {"file", "row", "column", "process", "label", "port", "description", "source", "connection",
                          "kind", "listener", "portos", "portos_only", "codes", "live", "live_differs"}
               for r in data["ports"] + data["connections"])
    assert {r["kind"] for r in data["connections"]} == {"connection"}
    # PortOS reads notes-ui's VITE_PORT and relabels it devUi (notes-api has an api port); it cannot
    # read `process.env.DB_PORT ?? 5432`, so the connection row is not in its list
    assert rows[("notes-ui", 5581)]["portos"] == "devUi" and rows[("render-worker", 5595)]["portos"] == "api"
    assert data["connections"][0]["portos"] is None


def test_map_shows_each_port_once_under_who_listens():
    import jsonschema

    from portlint.report import portmap

    from pathlib import Path

    schema = json.loads((Path(portmap.__file__).parent.parent / "schema" / "portmap.schema.json").read_text())
    folder = VALID / "server-ui-browser"
    data = json.loads(run_portlint("--no-cache", "--map", "--format", "json", str(folder)).stdout)
    jsonschema.validate(data, schema)
    kinds = {(r["process"], r["port"], r["kind"]) for r in data["ports"]}
    assert kinds == {("scout-server", 5580, "listen"), ("scout-ui", 5581, "listen"),
                     ("scout-server", 5582, "shared"), ("scout-browser", 5582, "shared")}
    assert [(r["process"], r["port"], r["listener"]) for r in data["references"]] == [("scout-ui", 5580, "scout-server")]
    text = run_portlint("--no-cache", "--map", str(folder)).stdout.splitlines()
    assert text[0].split()[:6] == ["Port", "Process", "Label", "PortOS", "Description", "Used"]
    table = text[1:text.index("")]
    # each port once under who holds it; the UI's reference shows only because PortOS lists it (marked *)
    assert [line.split()[0] for line in table] == ["5580", "5580", "5581", "5582"]
    assert table[0].split()[:2] == ["5580", "scout-server"] and "scout-ui" in table[0]
    assert table[1].split()[:4] == ["5580", "scout-ui", "viteApi", "viteApi*"]
    assert "shared by scout-browser, scout-server" in table[3]
    assert text[-1].startswith("* listed by PortOS for a process that does not listen on it")
    md = run_portlint("--no-cache", "--map", "--format", "markdown", str(folder)).stdout
    assert "| 5580 | scout-server | api | api | REST API and WebSocket | scout-ui |" in md
    html = run_portlint("--no-cache", "--map", "--format", "html", str(folder)).stdout
    assert "used by scout-ui" in html and "COLLISION" not in html


def test_map_text_and_markdown_match_the_policy_table():
    md = run_portlint("--map", "--format", "markdown", str(VALID / "portos-core")).stdout.splitlines()
    assert md[0] == "| Port | Process | Label | PortOS | Description |"
    assert md[2] == "| 5554 | portos-client | devUi | devUi | Vite dev server (React UI) |"
    assert md[-1] == "| 5561 | portos-db | db | db | PostgreSQL + pgvector (Docker, memory system) |"
    text = run_portlint("--map", str(VALID / "api-vite-ui")).stdout
    assert text.splitlines()[0].split() == ["Port", "Process", "Label", "PortOS", "Description", "Used", "by", "Where"]
    assert "Connection ports" in text and "env.DB_PORT" in text
    assert run_portlint("--map", "--format", "sarif", str(VALID)).returncode == 2


def test_map_reflects_pm2_precedence():
    data = json.loads(run_portlint("--map", "--format", "json", str(FIXTURES / "forms" / "precedence")).stdout)
    assert sorted(r["port"] for r in data["ports"]) == [5581, 5582]  # env.PORT 5580 is shadowed by port


def free(*args, **kw):
    return run_portlint("--next-free", *args, **kw)


def test_next_free_skips_used_well_known_and_defined_ports(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(
        "const PORTS = {\n  API: 5570, // api\n  SPARE: 5572, // reserved for later\n};\n"
        "module.exports = { PORTS, apps: [{ name: 'a', env: { PORT: PORTS.API } }] };\n")
    assert free("1", str(tmp_path)).stdout.strip() == "5571"
    assert free("2", str(tmp_path)).stdout.strip() == "5573-5574"
    (tmp_path / "portlint.toml").write_text("extend-well-known-ports = [5573]\n[ranges]\nuser = \"5570-5576\"\n")
    assert free("2", str(tmp_path)).stdout.strip() == "5574-5575"
    assert free("3", str(tmp_path)).stdout.strip() == "5574-5576"
    proc = free("4", str(tmp_path))
    assert proc.returncode == 1 and "no block of 4 free ports in the user range 5570-5576" in proc.stderr
    data = json.loads(free("1", "--format", "json", str(tmp_path)).stdout)
    assert data == {"start": 5571, "end": 5571, "size": 1, "range": [5570, 5576]}
    assert free("1", "--role", "reserved", str(tmp_path)).stdout.strip() == "5561"


class FakePortos:
    """A real HTTP server on 127.0.0.1 answering /api/apps the way PortOS does."""

    def __init__(self, body: bytes, status: int = 200, delay: float = 0.0):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                import time

                outer.paths.append(self.path)
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.paths: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


APPS = [
    {"name": "PortOS", "repoPath": "/srv/portos", "processes": [
        {"name": "portos-server", "port": 5555, "ports": {"api": 5555}},
        {"name": "portos-client", "port": 5554, "ports": {"ui": 5554}}]},
    {"name": "Notes", "repoPath": "/srv/notes", "uiPort": 5571, "processes": [
        {"name": "notes-api", "port": 5570, "ports": {"api": 5570}},
        {"name": "notes-ui", "port": 5571, "ports": {"ui": 5571}, "description": "Vite"}]},
    {"name": "not-pm2", "repoPath": "/srv/x"},
]


def test_next_free_counts_the_live_portos_apps(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(
        "const PORTS = {\n  API: 5572, // api\n};\nmodule.exports = { PORTS, apps: [{ name: 'a', env: { PORT: PORTS.API } }] };\n")
    assert free("2", str(tmp_path)).stdout.strip() == "5570-5571"
    with FakePortos(json.dumps(APPS).encode()) as portos:
        proc = free("2", "--portos-url", portos.url, str(tmp_path))
        assert proc.stdout.strip() == "5573-5574", proc.stderr
        assert portos.paths == ["/api/apps"]


def test_portos_collisions_in_lint(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(
        "const PORTS = {\n  API: 5570, // api\n  UI: 5571, // ui\n};\nmodule.exports = { PORTS, apps: [\n"
        "  { name: 'other-api', env: { PORT: PORTS.API } },\n  { name: 'notes-ui', env: { PORT: PORTS.UI } },\n] };\n")
    assert run_portlint(str(tmp_path)).returncode == 0
    with FakePortos(json.dumps(APPS).encode()) as portos:
        proc = run_portlint(str(tmp_path), "--portos-url", portos.url + "/")
    out = [l for l in proc.stdout.splitlines() if "PL203" in l]
    assert len(out) == 1, proc.stdout  # notes-ui is the same process PortOS lists, not a collision
    assert "port 5570 of other-api (env.PORT) is already used as api by process 'notes-api' of the PortOS app 'Notes'" in out[0]
    assert proc.returncode == 1


@pytest.mark.parametrize("body,status,needle", [
    (b"<html>nope</html>", 200, "did not answer with JSON"),
    (b'{"apps": []}', 200, "expected a JSON array of apps"),
    (b'[{"name": "x", "processes": {"a": 1}}]', 200, "processes of 'x' is not an array"),
    (b'[{"name": "x", "processes": [{"name": "p", "ports": [5570]}]}]', 200, "ports of 'x'/'p' is not an object"),
    (b"[]", 500, "answered HTTP 500"),
])
def test_bad_portos_answers_are_one_line_exit_two(tmp_path, body, status, needle):
    (tmp_path / "ecosystem.config.cjs").write_text("module.exports = { apps: [] };\n")
    with FakePortos(body, status) as portos:
        proc = free("1", "--portos-url", portos.url, str(tmp_path))
    assert proc.returncode == 2 and needle in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_portos_unreachable_and_timeout(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text("module.exports = { apps: [] };\n")
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    proc = free("1", "--portos-url", f"http://127.0.0.1:{closed}", str(tmp_path))
    assert proc.returncode == 2 and "cannot reach PortOS" in proc.stderr
    with FakePortos(b"[]", delay=3) as portos:
        proc = free("1", "--portos-url", portos.url, "--portos-timeout", "0.5", str(tmp_path))
    assert proc.returncode == 2 and "cannot reach PortOS" in proc.stderr and "timed out" in proc.stderr
    proc = free("1", "--portos-url", "ftp://example.invalid", str(tmp_path))
    assert proc.returncode == 2 and "is not an http(s) URL" in proc.stderr


def test_plain_lint_still_works_the_same(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text("const PORTS = {\n  API: 5570, // api\n  UI: 5572, // ui\n};\nmodule.exports = { PORTS, apps: [] };\n")
    proc = run_portlint(str(tmp_path))
    assert proc.returncode == 1 and ": PL201 " in proc.stdout


def test_portos_answers_that_are_too_big_or_malformed_are_one_line(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text("module.exports = { apps: [] };\n")
    cases = [(b" " * (10 * 1024 * 1024 + 1), "sent more than 10 MiB"),
             (b"[" * 100_000 + b"]" * 100_000, "did not answer with JSON"),
             (b'[{"name": "\xff"}]', "did not answer with JSON")]
    for body, message in cases:
        with FakePortos(body) as portos:
            proc = free("1", "--portos-url", portos.url, str(tmp_path))
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
        assert proc.stderr == f"portlint: PortOS at {portos.url}/api/apps {message}\n"


def test_control_characters_in_names_are_escaped_in_the_map(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(
        "const PORTS = {\n  API: 5570, // api\n};\nmodule.exports = { PORTS, apps: [{ name: 'a\\n5999  forged\\u001b[2J', "
        "script: 's.js', env: { PORT: PORTS.API } }] };\n")
    for fmt in ("text", "markdown"):
        proc = run_portlint("--map", "--format", fmt, str(tmp_path))
        assert "\x1b" not in proc.stdout and "\n5999" not in proc.stdout
        # Markdown escapes the escapes' backslashes and the bracket too: it renders as the text does
        shown = "a\\n5999  forged\\x1b[2J" if fmt == "text" else "a\\\\n5999  forged\\\\x1b\\[2J"
        assert shown in proc.stdout


# --- the live view: the map beside what the running PortOS lists -------------------------------------

NOTES = """const PORTS = {
  API: 5570, // notes REST API
  UI: 5571, // notes Vite dev server
  WORKER: 5572, // notes worker status
};
module.exports = { PORTS, apps: [
  { name: 'notes-api', script: 'api.js', env: { PORT: PORTS.API } },
  { name: 'notes-ui', script: 'node_modules/.bin/vite', args: `--port ${PORTS.UI}`, env: { VITE_PORT: PORTS.UI } },
  { name: 'notes-worker', script: 'worker.js', env: { STATUS_PORT: PORTS.WORKER } },
] };
"""
#: What a PortOS that scanned an older notes config answers: ui not yet devUi, no worker, a process since removed.
LIVE_NOTES = [
    {"name": "PortOS", "repoPath": "/srv/portos", "processes": [{"name": "portos-server", "port": 5555, "ports": {"api": 5555}}]},
    {"name": "Notes", "repoPath": "/srv/notes", "processes": [
        {"name": "notes-api", "port": 5570, "ports": {"api": 5570}},
        {"name": "notes-ui", "port": 5571, "ports": {"ui": 5571}},
        {"name": "notes-old", "port": 5573, "ports": {"api": 5573}}]},
]


def test_the_map_shows_the_live_list_beside_the_prediction_and_flags_each_difference(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(NOTES)
    with FakePortos(json.dumps(LIVE_NOTES).encode()) as portos:
        data = json.loads(run_portlint("--map", "--format", "json", "--portos-url", portos.url, str(tmp_path)).stdout)
        text = run_portlint("--map", "--portos-url", portos.url, str(tmp_path)).stdout
        html = run_portlint("--map", "--format", "html", "--portos-url", portos.url, str(tmp_path)).stdout
    import jsonschema
    from importlib.resources import files

    jsonschema.validate(data, json.loads(files("portlint").joinpath("schema/portmap.schema.json").read_text()))
    rows = {(r["process"], r["port"]): (r["portos"], r["live"], r["live_differs"]) for r in data["ports"]}
    assert rows == {("notes-api", 5570): ("api", "api", False),
                    ("notes-ui", 5571): ("devUi", "ui", True),  # PortOS lists it under another label
                    ("notes-worker", 5572): ("status", None, True)}  # the configs give it, PortOS does not list it
    assert data["live"] == {"url": portos.url, "apps": ["Notes"], "differences": 3,  # PortOS's own app is not compared
                            "only_live": [{"app": "Notes", "process": "notes-old", "label": "api", "port": 5573}]}
    lines = text.splitlines()
    assert lines[0].split()[:6] == ["Port", "Process", "Label", "PortOS", "Live", "Description"]
    assert lines[1].split()[:5] == ["5570", "notes-api", "api", "api", "api"]
    assert lines[2].split()[:5] == ["5571", "notes-ui", "devUi", "devUi", "ui!"]
    assert lines[3].split()[:5] == ["5572", "notes-worker", "status", "status", "-!"]
    assert "Listed by the live PortOS, but by no config here:" in text
    assert any(line.split() == ["5573", "Notes", "notes-old", "api"] for line in lines)
    assert f"Live PortOS at {portos.url} (apps compared: Notes): 3 differences from the prediction ('!')." in text
    from test_htmlmap import cells

    drawn = cells(html)
    assert {p for p, c in drawn.items() if "live-differs" in c["classes"]} == {5571, 5572, 5573}
    assert "live PortOS: notes-ui listed as ui (predicted: devUi)" in drawn[5571]["title"]
    assert "live PortOS lists Notes / notes-old (api) here; no config here does" in drawn[5573]["title"]


def test_without_a_portos_url_the_map_has_no_live_view(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(NOTES)
    data = json.loads(run_portlint("--map", "--format", "json", str(tmp_path)).stdout)
    assert data["live"] is None and not any(r["live"] or r["live_differs"] for r in data["ports"])
    assert "Live" not in run_portlint("--map", str(tmp_path)).stdout.splitlines()[0]


def test_a_live_list_that_agrees_has_no_differences(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(NOTES)
    agreeing = [{"name": "Notes", "processes": [
        {"name": "notes-api", "port": 5570, "ports": {"api": 5570}},
        {"name": "notes-ui", "port": 5571, "ports": {"devUi": 5571}},
        {"name": "notes-worker", "port": 5572, "ports": {"status": 5572}}]}]
    with FakePortos(json.dumps(agreeing).encode()) as portos:
        proc = run_portlint("--map", "--portos-url", portos.url, str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "!" not in proc.stdout.replace("('!')", "") and "no differences from the prediction" in proc.stdout
