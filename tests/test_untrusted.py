"""portlint never runs a config: a file whose body would write a file, start a process or open a
socket if it ran is linted with no effect. require() stays inside the project and out of
node_modules. File-system oddities are diagnostics."""
import os
import socket

import pytest

from conftest import run_portlint

HOSTILE = """const fs = require('fs');
const cp = require('child_process');
const net = require('net');
fs.writeFileSync(%(marker)r, 'ran');
cp.execSync('touch ' + %(marker2)r);
net.connect(%(port)d, '127.0.0.1');
(() => { require('fs').writeFileSync(%(marker)r, 'iife'); })();
const PORTS = {
  get API() { require('fs').writeFileSync(%(marker)r, 'getter'); return 5570; }, // api
  UI: (function () { process.exit(3); })(), // ui
};
module.exports = {
  PORTS,
  apps: [{ name: 'x', env: { PORT: require('./evil.cjs'), WS_PORT: eval("require('fs').writeFileSync(%(marker)r, 'eval')") } }],
};
"""


def test_a_config_that_would_write_files_and_open_sockets_does_nothing(tmp_path):
    marker, marker2 = tmp_path / "marker", tmp_path / "marker2"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    (tmp_path / "evil.cjs").write_text(f"require('fs').writeFileSync({str(marker)!r}, 'required');\nmodule.exports = 5571;\n")
    config = tmp_path / "ecosystem.config.cjs"
    config.write_text(HOSTILE % {"marker": str(marker), "marker2": str(marker2), "port": port})
    (tmp_path / "ecosystem.json").write_text('{ apps: [ (function(){ require("fs").writeFileSync(%r, "j") })() ] }' % str(marker))
    for fmt in ("text", "json"):
        proc = run_portlint(str(tmp_path), "--format", fmt, "--fix", "--unsafe-fixes")
        assert proc.returncode in (0, 1), proc.stderr
        assert "Traceback" not in proc.stderr
    assert not marker.exists() and not marker2.exists()
    with pytest.raises(socket.timeout):
        listener.accept()  # nobody connected
    listener.close()
    out = run_portlint(str(config), "--no-cache").stdout
    assert "PL002" in out  # what could not be known without running it is said, not guessed


def test_require_is_confined_to_the_project(tmp_path):
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "node_modules" / "ports").mkdir(parents=True)
    (project / "node_modules" / "ports" / "index.js").write_text("module.exports = { API: 5570 };\n")
    (tmp_path / "outside.config.cjs").write_text("module.exports = { API: 5570 };\n")
    (project / "ecosystem.config.cjs").write_text(
        "const a = require('../outside.config.cjs');\nconst b = require('./node_modules/ports');\n"
        "const c = require('/etc/passwd');\nconst d = require('../../../../../../etc/hostname');\n"
        "const PORTS = {\n  API: a.API, // api\n  UI: b.API, // ui\n  X: c, // x\n  Y: d, // y\n};\n"
        "module.exports = { PORTS, apps: [] };\n")
    out = run_portlint(str(project), "--no-cache").stdout
    assert out.count("PL002") == 4
    assert "outside the project root" in out and "node_modules" in out


def test_require_chain_depth_is_limited(tmp_path):
    (tmp_path / ".git").mkdir()
    for i in range(30):
        (tmp_path / f"c{i}.config.cjs").write_text(f"module.exports = require('./c{i + 1}.config.cjs');\n")
    (tmp_path / "c30.config.cjs").write_text("module.exports = { PORTS: { API: 5570 } };\n")
    (tmp_path / "ecosystem.config.cjs").write_text(
        "const { PORTS } = require('./c0.config.cjs');\nmodule.exports = { PORTS, apps: [{ name: 'a', env: { PORT: PORTS.API } }] };\n")
    out = run_portlint(str(tmp_path), "--no-cache").stdout
    assert "require() chain too deep" in out


def test_devices_unreadable_folders_and_links_to_devices(tmp_path, monkeypatch):
    (tmp_path / "ecosystem.null.config.js").symlink_to("/dev/null")
    (tmp_path / "ecosystem.zero.config.js").symlink_to("/dev/zero")
    proc = run_portlint(str(tmp_path), "--no-cache")
    assert proc.returncode == 1
    assert proc.stdout.count("not a regular file") == 2
    # a folder that cannot be listed is skipped, the rest is linted
    from portlint.source import discover

    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "ecosystem.config.js").write_text("module.exports = {};\n")
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(discover.os, "scandir", scandir)
    found = discover.discover([str(tmp_path)])
    assert all("locked" not in f for f in found) and len(found) == 2


def test_cache_folder_that_cannot_be_written_costs_only_time(tmp_path):
    (tmp_path / "ecosystem.config.cjs").write_text("module.exports = { apps: [] };\n")
    (tmp_path / "blocked").write_text("a file where the cache folder should be\n")
    proc = run_portlint(str(tmp_path / "ecosystem.config.cjs"), "--cache-dir", str(tmp_path / "blocked" / "c"))
    assert proc.returncode == 0 and proc.stderr == ""
