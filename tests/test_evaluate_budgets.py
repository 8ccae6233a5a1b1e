"""Value bombs cost bounded memory and time (issue 20, issue 28 "Memory"): every hostile file below is
generated here, linted by the real CLI in one child process under an address-space limit (RLIMIT_AS)
and a CPU-time limit (RLIMIT_CPU), and must end with the diagnostic written next to it: a PL002 naming
the budget that stopped it, or (where JavaScript gives a plain value) that value, never a MemoryError,
a traceback, a "please report" or a hang.

Before the one accounting point (issue 28), ``flat``, ``Object.keys/entries`` and ``includes`` over
long lists were not charged: flat-doubling took 787 MiB and ended in a MemoryError, keys-copies
1 GiB, includes-scan and number-squaring ran into the 10 s file deadline.
"""
import os
import re
import subprocess
import sys

import pytest

resource = pytest.importorskip("resource")

MEMORY_LIMIT = 384 * 1024 * 1024  # of address space: the whole linter process, Python and parser included
CPU_SECONDS = 120  # for every bomb together; each takes a second or two
EXPORT = "\nmodule.exports = {{ apps: [{{ name: 'bomb', script: 'x.js', env: {{ PORT: {} }} }}] }};\n"

SIZE = "the size budget (100,000 characters, items or keys per value) ran out"
MEMORY = "the memory budget (64 MiB of values built per file) ran out"
STEPS = "the step budget (200,000 evaluation steps per file) ran out"
LOOPS = "the loop budget (10,000 iterations per file) ran out"


def chain(step: str, n: int, start: str, use: str = "{last}[0]") -> str:
    """``const a1 = <step of a0>; ...`` n times, then an app whose port is ``use`` of the last one."""
    lines = "".join(f"const a{i + 1} = {step.format(p=f'a{i}')};\n" for i in range(n))
    return f"const a0 = {start};\n" + lines + EXPORT.format(use.format(last=f"a{n}"))


def doubled_list(items: int = 2**16) -> str:
    """A list of ``items`` numbers, built by doubling (well inside the size budget)."""
    return f"let s = [1, 2, 3, 4];\nfor (let i = 0; i < {(items // 4).bit_length() - 1}; i++) s = s.concat(s);\n"


#: name -> (the file, what its report must say)
BOMBS = {
    # issue 20: 692 bytes of doubling took 2 GB
    "string-doubling": (chain("{p} + {p}", 40, "'abcdefghijklmnop'", "{last}"), SIZE),
    "template-doubling": (chain("`${{{p}}}${{{p}}}`", 40, "'abcdefghijklmnop'", "{last}"), SIZE),
    # JavaScript gives '' here, and so does portlint now: empty parts cost nothing once joined
    "empty-template-doubling": (chain("`${{{p}}}${{{p}}}`", 60, "''", "{last}"), "PL105 bomb gets the string ''"),
    "array-spread-doubling": (chain("[...{p}, ...{p}]", 40, "[1, 2, 3, 4]"), SIZE),
    "array-concat-doubling": (chain("{p}.concat({p})", 40, "[1, 2, 3, 4]"), SIZE),
    "loop-doubling": ("let s = 'ab';\nfor (let i = 0; i < 64; i++) s += s;\n" + EXPORT.format("s"), SIZE),
    "many-large-values": ("let s = 'x';\nfor (let i = 0; i < 16; i++) s = s + s;\nconst kept = [];\n"
                          "for (let i = 0; i < 9000; i++) kept.push(s + i);\n" + EXPORT.format("kept[0]"), MEMORY),
    "object-keys": ("const o = {};\nfor (let i = 0; i < 1e9; i++) o['k' + i] = i;\n" + EXPORT.format("o.k1"), LOOPS),
    "huge-array-length": ("const a = [];\na.length = 1e9;\n" + EXPORT.format("a[0]"), SIZE),
    "huge-array-from": ("const a = Array.from({ length: 2 ** 40 }, (_, i) => i);\n" + EXPORT.format("a[0]"), SIZE),
    "endless-loop": ("while (true) {}\n" + EXPORT.format("5570"), LOOPS),
    # what is not known must not double either: the parts of a list that went past the budget
    "unknown-parts-doubling": (
        "".join(f"const u{i + 1} = [...u{i}, ...u{i}, {{ ...o{i % 2} }}];\n" for i in range(60)).join(
            ["const o0 = { ...process.env.A }, o1 = { ...process.env.B };\nconst u0 = [...process.env.LIST];\n",
             EXPORT.format("u60[0]")]), "PL002 cannot resolve env.PORT of bomb"),
    # issue 28: what built-ins return is charged too
    "flat-doubling": (chain("[{p}, {p}].flat()", 40, "[1, 2, 3, 4]"), STEPS),  # each flat() scans its list
    "slice-copies": (doubled_list() + "const keep = [];\nfor (let i = 0; i < 9000; i++) keep.push(s.slice(0));\n"
                     + EXPORT.format("keep[0][0]"), STEPS),
    "keys-copies": ("const o = {};\nfor (let i = 0; i < 9000; i++) o['k' + i] = i;\nconst keep = [];\n"
                    "for (let i = 0; i < 900; i++) keep.push(Object.keys(o), Object.entries(o), Object.values(o));\n"
                    + EXPORT.format("keep[0][0]"), MEMORY),
    "entries-spread": (chain("[...Object.entries({p}), ...Object.values({p})]", 30, "[1, 2, 3, 4]"), SIZE),
    "includes-scan": (doubled_list() + "let hits = 0;\nfor (let i = 0; i < 9000; i++) if (s.includes('x' + i)) hits++;\n"
                      + EXPORT.format("5570 + hits"), STEPS),
    "index-of-scan": (doubled_list() + "let hits = 0;\nfor (let i = 0; i < 9000; i++) hits += s.indexOf('x' + i);\n"
                      + EXPORT.format("5570 + hits"), STEPS),
    "repeat-huge": ("const s = 'x'.repeat(2 ** 30);\n" + EXPORT.format("s"), SIZE + ": a string of 1,073,741,824"),
    "repeat-many": ("const keep = [];\nfor (let i = 0; i < 9000; i++) keep.push('x'.repeat(90000));\n"
                    + EXPORT.format("keep[0]"), MEMORY),
    "pad-start-huge": ("const s = '1'.padStart(2 ** 30, '0');\n" + EXPORT.format("s"), SIZE),
    "join-doubling": (chain("[{p}.join('-'), {p}.join('+')]", 20, "['ab', 'cd']"), SIZE),
    "split-many": ("let s = 'a,';\nfor (let i = 0; i < 15; i++) s = s + s;\nconst keep = [];\n"
                   "for (let i = 0; i < 900; i++) keep.push(s.split(','));\n" + EXPORT.format("keep[0][0]"), MEMORY),
    "object-spread-copies": ("const o = {};\nfor (let i = 0; i < 9000; i++) o['k' + i] = i;\nconst keep = [];\n"
                             "for (let i = 0; i < 900; i++) keep.push({ ...o, ...o });\n" + EXPORT.format("keep[0].k1"),
                             MEMORY),
    "for-of-long-string": ("let s = 'ab';\nfor (let i = 0; i < 16; i++) s = s + s;\nlet c = 0;\n"
                           "for (let k = 0; k < 100; k++) for (const ch of s) { c++; break; }\n" + EXPORT.format("5570 + c"),
                           "PL002 cannot resolve env.PORT of bomb"),
    # a template that grows by one part per iteration was 9,000 levels deep: it is one string now
    "template-nesting": ("let t = '';\nfor (let i = 0; i < 9000; i++) t = `${t}a`;\n" + EXPORT.format("t"),
                         "PL105 bomb gets the string 'aaaa"),
    "template-text-loop": ("".join(f"const t{i + 1} = `${{t{i}}}${{t{i}}}`;\n" for i in range(16)).join(
        ["const t0 = 'a';\n", "let n = 0;\nfor (let i = 0; i < 9000; i++) n += Number(t16);\n" + EXPORT.format("n")]),
        "PL105 bomb gets NaN"),
    # numbers are doubles: squaring ends at Infinity, as in Node, instead of a Python int of 2**40 digits
    "number-squaring": ("let x = 10;\nfor (let i = 0; i < 40; i++) x = x * x;\n" + EXPORT.format("x"),
                        "PL105 bomb gets the float Infinity"),
    "number-of-5000-digits": ("const n = Number('1' + '0'.repeat(5000));\n" + EXPORT.format("n"),
                              "PL105 bomb gets the float Infinity"),
    "literal-of-5000-digits": ("const n = " + "9" * 5000 + ";\n" + EXPORT.format("n"), "PL105 bomb gets the float Infinity"),
    "hex-literal-of-4000-digits": ("const n = 0x" + "f" * 4000 + ";\n" + EXPORT.format("n"),
                                   "PL105 bomb gets the float Infinity"),
}


def limited():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Every bomb linted by one child process (each file has its own budgets)."""
    root = tmp_path_factory.mktemp("bombs")
    for name, (text, _) in BOMBS.items():
        assert len(text) < 6000, name  # a few kilobytes at most
        (root / name).mkdir()
        (root / name / "ecosystem.config.cjs").write_text(text)
    proc = subprocess.run([sys.executable, "-m", "portlint", ".", "--no-cache", "--jobs", "1", "--select", "PL002,PL105"],
                          capture_output=True, text=True, timeout=CPU_SECONDS * 2, preexec_fn=limited, cwd=root,
                          env={**os.environ, "PORTLINT_BUILTIN_ONLY": "1"})
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stdout + proc.stderr, proc.stderr
    assert "internal error" not in proc.stdout + proc.stderr and "please report" not in proc.stdout, proc.stdout
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return proc.stdout


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
@pytest.mark.parametrize("name", sorted(BOMBS))
def test_value_bombs_stay_small(name, report):
    lines = [line for line in report.splitlines() if line.startswith(f"{name}{os.sep}ecosystem.config.cjs:")]
    expected = BOMBS[name][1]
    assert any(expected in line for line in lines), "\n".join(lines) or f"nothing reported for {name}"
    assert not any(re.search(r"PL001", line) for line in lines)
