"""Nothing a pull request plants is trusted (issue 28): a committed ``.portlint_cache``, a file or link
at the ``-o`` path, a PortOS that redirects elsewhere. Each attack is built here, in a real git
repository where it matters, and the real command is run as CI would."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import run_portlint

BAD = ("const PORTS = {\n  API: 5570, // api\n};\n"
       "module.exports = { PORTS, apps: [{ name: 'api', script: 's.js', env: { PORT: 5570 } }] };\n")
CLEAN = BAD.replace("PORT: 5570 }", "PORT: PORTS.API }")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t", *args], cwd=repo, check=True,
                   capture_output=True, timeout=60)


def _as_user(home: Path) -> dict:
    """The environment of one user: their cache key lives in their own cache folder."""
    home.mkdir(exist_ok=True)
    return {"XDG_CACHE_HOME": str(home)}


# --- the cache ----------------------------------------------------------------------------------

def test_a_committed_doctored_cache_cannot_make_a_bad_config_clean(tmp_path):
    """Before: a .portlint_cache committed with the pull request said "clean" for a config with a
    literal port (its entry had the config's real hash and an empty result): exit 0."""
    if shutil.which("git") is None:
        pytest.skip("git is needed")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    config = repo / "ecosystem.config.cjs"
    attacker = _as_user(tmp_path / "attacker")
    # the attacker lints a clean config with their own portlint, then swaps in the bad one and
    # rewrites the cache entry to match it, signed with the only key they have: their own
    config.write_text(CLEAN)
    assert run_portlint(".", cwd=repo, env=attacker).returncode == 0
    config.write_text(BAD)
    subprocess.run([sys.executable, "-c", _DOCTOR], cwd=repo, env={**os.environ, **attacker}, check=True, timeout=60)
    assert run_portlint(".", cwd=repo, env=attacker).returncode == 0  # on the attacker's machine, it "works"
    _git(repo, "add", "-f", ".")
    _git(repo, "commit", "-q", "-m", "add api")
    # CI checks the pull request out and lints it
    ci = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", str(repo), str(ci)], check=True, capture_output=True, timeout=60)
    assert (ci / ".portlint_cache" / "index.json").exists()
    proc = run_portlint(".", "--format", "json", cwd=ci, env=_as_user(tmp_path / "runner"))
    assert proc.returncode == 1
    assert {d["code"] for d in json.loads(proc.stdout)} >= {"PL401"}
    assert proc.stderr.count("was not written by portlint for this user") == 1
    # and the planted cache was rewritten with this user's signature: the next run uses it
    again = run_portlint(".", "--format", "json", cwd=ci, env=_as_user(tmp_path / "runner"))
    assert again.stdout == proc.stdout and again.stderr == ""


# Recompute the doctored entry as an attacker would: the real hash of the bad config, no findings.
_DOCTOR = r"""
import json, os
from portlint.engine import cache
path = os.path.join(".portlint_cache", "index.json")
index = json.loads(open(path, "rb").read())
index.pop("signature")
for entry in index["entries"].values():
    entry["content"] = cache.file_key("ecosystem.config.cjs")
    entry["result"]["diagnostics"] = []
index["runs"] = []
open(path, "wb").write(cache._dumps("index.json", index))
"""


def test_an_entry_edited_after_it_was_signed_is_not_used(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(BAD)
    env = _as_user(tmp_path / "me")
    cold = run_portlint(".", "--format", "json", cwd=tmp_path, env=env)
    index = tmp_path / ".portlint_cache" / "index.json"
    text = index.read_text()
    doctored = json.loads(text)
    for entry in doctored["entries"].values():
        entry["result"]["diagnostics"] = []
    signature = doctored.pop("signature")
    body = json.dumps(doctored, separators=(",", ":"))
    index.write_text(body[:-1] + f',"signature":"{signature}"}}')  # the old signature on new content
    proc = run_portlint(".", "--format", "json", cwd=tmp_path, env=env)
    assert proc.stdout == cold.stdout and proc.returncode == 1
    assert "was not written by portlint for this user" in proc.stderr


def test_without_a_place_for_its_key_the_cache_is_not_used(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text(BAD)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # XDG_CACHE_HOME is a file: no key can be made under it
    proc = run_portlint(".", cwd=tmp_path, env={"XDG_CACHE_HOME": str(blocked)})
    assert proc.returncode == 1 and ": PL401 " in proc.stdout
    assert proc.stderr.startswith("portlint: warning: no cache: its signing key can be neither read nor made")
    assert not (tmp_path / ".portlint_cache").exists()


def test_the_key_is_the_users_alone(tmp_path):
    run_portlint("--version")  # nothing made yet
    (tmp_path / "ecosystem.config.cjs").write_text(CLEAN)
    assert run_portlint(".", cwd=tmp_path, env=_as_user(tmp_path / "me")).returncode == 0
    key = tmp_path / "me" / "portlint" / "cache-key"
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 32


# --- -o FILE ------------------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x").write_text("SECRET\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "ecosystem.config.cjs").write_text(BAD)
    return repo


def _refused(proc, why: str) -> None:
    assert proc.returncode == 2 and proc.stdout == "", proc.stdout
    assert proc.stderr.count("\n") == 1 and why in proc.stderr, proc.stderr


def test_a_planted_link_at_the_output_path_is_not_written_through(project):
    """Before: `-o portlint.sarif` wrote through a planted `portlint.sarif -> ../outside/x`."""
    (project / "portlint.sarif").symlink_to("../outside/x")
    _refused(run_portlint(".", "--format", "sarif", "-o", "portlint.sarif", cwd=project),
             "leads to " + str((project.parent / "outside" / "x").resolve()) + ", outside the working folder")
    (project / "out").symlink_to("../outside")
    _refused(run_portlint(".", "-o", "out/report.txt", cwd=project), "outside the working folder")
    assert (project.parent / "outside" / "x").read_text() == "SECRET\n"
    assert not (project.parent / "outside" / "report.txt").exists()


def test_the_output_is_never_a_fifo_a_device_or_a_linted_config(project):
    os.mkfifo(project / "report.fifo")
    _refused(run_portlint(".", "-o", "report.fifo", cwd=project), "not a regular file (a FIFO, socket or device)")
    _refused(run_portlint(".", "-o", "ecosystem.config.cjs", cwd=project),
             "cannot write the report over ecosystem.config.cjs, a config being linted")
    (project / "config-link").symlink_to("ecosystem.config.cjs")
    _refused(run_portlint(".", "-o", "config-link", cwd=project), "a config being linted")
    assert (project / "ecosystem.config.cjs").read_text() == BAD
    _refused(run_portlint(".", "--map", "-o", "ecosystem.config.cjs", cwd=project), "a config being linted")


def test_the_report_is_written_whole_as_a_regular_file(project):
    report = project / "report.txt"
    report.write_text("the old report\n")
    os.chmod(report, 0o640)
    inode = report.stat().st_ino
    proc = run_portlint(".", "-o", "report.txt", cwd=project)
    assert proc.returncode == 1 and proc.stdout == ""
    assert ": PL401 " in report.read_text()
    assert report.stat().st_ino != inode and report.stat().st_mode & 0o777 == 0o640  # replaced, mode kept
    assert not [p for p in project.iterdir() if p.name.startswith(".portlint-")]  # no temporary left
    outside = project.parent / "outside" / "named.txt"  # a path outside, named as such, is written
    assert run_portlint(".", "-o", str(outside), cwd=project).returncode == 1 and outside.read_text()


def test_a_report_that_fails_on_the_way_leaves_the_old_file(tmp_path, monkeypatch):
    from portlint.report.output import open_output

    report = tmp_path / "report.txt"
    report.write_text("the old report\n")
    monkeypatch.chdir(tmp_path)
    stream = open_output("report.txt")
    with pytest.raises(RuntimeError):
        try:  # as `portlint.commands.lint.report` does: the stream is closed in a `finally`
            stream.write("half a rep")
            raise RuntimeError("a format crashed")
        finally:
            stream.close()
    assert report.read_text() == "the old report\n"
    with pytest.raises(RuntimeError), open_output("report.txt") as stream:  # as the port map writes
        stream.write("half a map")
        raise RuntimeError("the map crashed")
    assert report.read_text() == "the old report\n"
    with open_output("report.txt") as stream:
        stream.write("the new report\n")
    assert report.read_text() == "the new report\n"


# --- the live PortOS client ---------------------------------------------------------------------

class _Redirecting(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        target = self.server.targets.get(self.path)
        self.server.seen.append(self.path)
        if target is None:
            body = b'[{"name": "Notes", "processes": [{"name": "notes-api", "ports": {"api": 5570}}]}]'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def portos():
    servers = []

    def serve(targets: dict) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
        server.targets, server.seen = targets, []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("where", ["http://127.0.0.1:{other}/api/apps", "ftp://127.0.0.1:{port}/api/apps",
                                   "https://127.0.0.1:{port}/api/apps", "http://localhost:{port}/api/apps",
                                   "file:///etc/passwd"])
def test_the_portos_client_follows_no_redirect_to_another_origin(tmp_path, portos, where):
    """Before: urllib followed any redirect, ftp:// included, to another host or port."""
    (tmp_path / "ecosystem.config.cjs").write_text(CLEAN)
    elsewhere = portos({})
    server = portos({})
    server.targets["/api/apps"] = where.format(other=elsewhere.server_address[1], port=server.server_address[1])
    url = f"http://127.0.0.1:{server.server_address[1]}"
    proc = run_portlint("--next-free", "1", "--portos-url", url, str(tmp_path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "another origin (scheme, host or port); not followed" in proc.stderr
    assert elsewhere.seen == []


def test_the_portos_client_follows_a_redirect_on_its_own_origin(tmp_path, portos):
    (tmp_path / "ecosystem.config.cjs").write_text(CLEAN)
    server = portos({"/api/apps": "/v2/apps"})
    proc = run_portlint("--next-free", "1", "--portos-url", f"http://127.0.0.1:{server.server_address[1]}",
                        str(tmp_path))
    assert proc.returncode == 0 and proc.stdout == "5571\n", proc.stderr  # 5570: PortOS's notes-api
    assert server.seen == ["/api/apps", "/v2/apps"]


def test_a_redirect_loop_is_one_line(tmp_path, portos):
    (tmp_path / "ecosystem.config.cjs").write_text(CLEAN)
    server = portos({"/api/apps": "/a", "/a": "/b", "/b": "/a"})
    proc = run_portlint("--next-free", "1", "--portos-url", f"http://127.0.0.1:{server.server_address[1]}",
                        str(tmp_path))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
