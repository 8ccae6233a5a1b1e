"""Value bombs cost bounded memory and time: each hostile file is linted by the real CLI in a child
process under a memory limit (RLIMIT_AS) and a time limit, and must end with a PL002 that names the
budget that stopped it, never a MemoryError, a traceback or a hang."""
import os
import subprocess
import sys

import pytest

resource = pytest.importorskip("resource")

MEMORY_LIMIT = 256 * 1024 * 1024  # the whole linter process, Python and parser included
TIME_LIMIT = 60

EXPORT = "\nmodule.exports = {{ apps: [{{ name: 'bomb', script: 'x.js', env: {{ PORT: {} }} }}] }};\n"

BOMBS = {
    # issue 20 item 1: 692 bytes of doubling took 2 GB
    "string-doubling": "".join(f"const s{i + 1} = s{i} + s{i};\n" for i in range(40)).join(
        ["const s0 = 'abcdefghijklmnop';\n", EXPORT.format("s40")]),
    "template-doubling": "".join(f"const t{i + 1} = `${{t{i}}}${{t{i}}}`;\n" for i in range(40)).join(
        ["const t0 = 'abcdefghijklmnop';\n", EXPORT.format("t40")]),
    "empty-template-doubling": "".join(f"const e{i + 1} = `${{e{i}}}${{e{i}}}`;\n" for i in range(60)).join(
        ["const e0 = '';\n", EXPORT.format("e60")]),
    "array-spread-doubling": "".join(f"const a{i + 1} = [...a{i}, ...a{i}];\n" for i in range(40)).join(
        ["const a0 = [1, 2, 3, 4];\n", EXPORT.format("a40[0]")]),
    "array-concat-doubling": "".join(f"const c{i + 1} = c{i}.concat(c{i});\n" for i in range(40)).join(
        ["const c0 = [1, 2, 3, 4];\n", EXPORT.format("c40[0]")]),
    "loop-doubling": "let s = 'ab';\nfor (let i = 0; i < 64; i++) s += s;\n" + EXPORT.format("s"),
    "many-large-values": ("let s = 'x';\nfor (let i = 0; i < 16; i++) s = s + s;\nconst kept = [];\n"
                          "for (let i = 0; i < 9000; i++) kept.push(s + i);\n" + EXPORT.format("kept[0]")),
    "object-keys": ("const o = {};\nfor (let i = 0; i < 1e9; i++) o['k' + i] = i;\n" + EXPORT.format("o.k1")),
    "huge-array-length": "const a = [];\na.length = 1e9;\n" + EXPORT.format("a[0]"),
    "huge-array-from": "const a = Array.from({ length: 2 ** 40 }, (_, i) => i);\n" + EXPORT.format("a[0]"),
    "endless-loop": "while (true) {}\n" + EXPORT.format("5570"),
    # what is not known must not double either: the parts of a list that went past the budget
    "unknown-parts-doubling": "".join(f"const u{i + 1} = [...u{i}, ...u{i}, {{ ...o{i % 2} }}];\n" for i in range(60)).join(
        ["const o0 = { ...process.env.A }, o1 = { ...process.env.B };\nconst u0 = [...process.env.LIST];\n",
         EXPORT.format("u60[0]")]),
}


def limited():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
@pytest.mark.parametrize("name", sorted(BOMBS))
def test_value_bombs_stay_small(name, tmp_path):
    path = tmp_path / "ecosystem.config.cjs"
    path.write_text(BOMBS[name])
    assert len(BOMBS[name]) < 4096
    proc = subprocess.run([sys.executable, "-m", "portlint", str(path), "--no-cache", "--select", "PL002"],
                          capture_output=True, text=True, timeout=TIME_LIMIT, preexec_fn=limited, cwd=tmp_path,
                          env={**os.environ, "PORTLINT_BUILTIN_ONLY": "1"})
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stdout + proc.stderr, proc.stderr
    assert "internal error" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert "PL002" in proc.stdout, proc.stdout + proc.stderr
    if name != "unknown-parts-doubling":  # that one stays small without running out of anything
        assert "budget" in proc.stdout, proc.stdout
