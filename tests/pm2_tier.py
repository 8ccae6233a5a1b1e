"""The PM2 tier's machinery: start a config with real PM2 (major 7, installed with npm into
tests/.tools/pm2) in a private PM2_HOME and a clean environment, with a stub that stays alive in
place of every script (``serve`` stays PM2's own), read what PM2 started (``pm2 jlist`` and what each
stub was given), always kill the daemon; and compare that with ``portlint --show-resolved --format
json``. tests/test_pm2_tier.py drives it over every fixture and over generated configs.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tests" / ".tools" / "pm2"
PM2_SPEC = "pm2@7"  # the pinned major; .ci/run installs it
PM2_BIN = TOOLS / "node_modules" / "pm2" / "bin" / "pm2"

#: A stub in place of a JavaScript script: says what it was given, then stays alive.
JS_STUB = """#!/usr/bin/env node
// portlint's PM2 tier: stands in for the app's script.
const inspect = process.execArgv.some((a) => /^--inspect(-brk|-wait)?(=|$)/.test(a));
console.log('PORTLINT_STUB ' + JSON.stringify({ argv: process.argv.slice(2), execArgv: process.execArgv,
  debugPort: inspect ? process.debugPort : null, env: process.env, pid: process.pid, ppid: process.ppid }));
setInterval(() => {}, 1 << 30);
"""
STUB_MARK = "PORTLINT_STUB "
#: Serve's log line once it listens, and Node's error when the port is taken.
_SERVE_LISTENS = re.compile(r"Exposing .* on [^ ]*:(\d+)")
_SERVE_TAKEN = re.compile(r"EADDRINUSE[^\n]*:(\d+)")


def node_binary() -> str | None:
    return shutil.which("node")


def pm2_available(install: bool = True) -> tuple[bool, str]:
    """Whether PM2 7 is installed in tests/.tools/pm2 (installing it with npm when asked); the reason
    when it is not."""
    if node_binary() is None:
        return False, "node is not installed"
    if PM2_BIN.exists():
        return True, ""
    npm = shutil.which("npm")
    if npm is None or not install:
        return False, "PM2 is not installed in tests/.tools/pm2 and npm is not available to install it"
    TOOLS.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([npm, "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", "--loglevel=error",
                           PM2_SPEC], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not PM2_BIN.exists():
        return False, f"npm could not install {PM2_SPEC}: {(proc.stderr or proc.stdout).strip()[-300:]}"
    return True, ""


def pm2_version() -> str:
    return json.loads((TOOLS / "node_modules" / "pm2" / "package.json").read_text())["version"]


def machine_cpus() -> int:
    """The CPU count PM2 sees (os.cpus().length), which 'max', 0 and -1 use."""
    out = subprocess.run([node_binary(), "-p", "require('os').cpus().length"], capture_output=True, text=True,
                         timeout=30)
    return int(out.stdout.strip())


@dataclass
class Started:
    """What PM2 started for one (config, environment)."""

    processes: list[dict] = field(default_factory=list)  # pm2 jlist
    reports: dict[int, dict] = field(default_factory=dict)  # pm_id -> what the stub was given
    serve_ports: dict[int, int] = field(default_factory=dict)  # pm_id -> port of PM2's static server
    output: str = ""  # pm2 start's output
    timed_out: bool = False
    skipped: str = ""  # why the tier could not start it (a script it cannot stand in for)
    load_error: str = ""  # PM2 could not load the config file at all

    @property
    def started_nothing(self) -> bool:
        return not self.processes


def _stub_places(app: dict, workdir: Path) -> tuple[list[Path], str]:
    """Where PM2 will look for the app's script (relative to its cwd), or why no stub can stand in."""
    script = app["script"]
    if script is None or not app["cwd_known"]:
        return [], ""  # PM2 says where it looked ("Script not found: ..."), and the tier puts a stub there
    base = (workdir / app["cwd"]) if app["cwd"] else workdir
    if script == "serve":
        return [], ""
    if script == "bash":  # a script with spaces: bash -c '<script>'
        words = app["args"]["values"][1].split()
        if not words:
            return [], "an empty script"
        if words[0] in ("node", "nodejs"):
            target = next((w for w in words[1:] if not w.startswith("-")), None)
            return ([base / target] if target else []), ""
        return [Path("/bin-stub") / words[0]], ""  # a command found on the PATH
    if app["interpreter"] not in ("node", "bun") or script.endswith((".ts", ".tsx")):
        return [], f"a {app['interpreter']} script ({script}) the tier has no stub for"
    return [base / script], ""


#: The most processes the tier lets PM2 start for one environment: a config that asks for more (a
#: billion instances, or Infinity, which PM2 never finishes starting) is not started.
MAX_PROCESSES = 32


def place_stubs(apps: list[dict], workdir: Path, stubbin: Path) -> str:
    """A stub in place of every app's script; returns why the config cannot be started, or ''."""
    for app in apps:
        places, why = _stub_places(app, workdir)
        if why:
            return f"{app['name']}: {why}"
        for place in places:
            if str(place).startswith("/bin-stub/"):
                place = stubbin / place.name
            place.parent.mkdir(parents=True, exist_ok=True)
            if place.is_dir():
                return f"{app['name']}: its script {place} is a folder"
            place.write_text(JS_STUB, encoding="utf-8")
            place.chmod(0o755)
    return ""


def _pm2_env(home: Path, stubbin: Path) -> dict:
    """The clean environment PM2 runs in: PATH (stubs first, then node), HOME and PM2_HOME only."""
    node_dir = os.path.dirname(os.path.realpath(node_binary()))
    return {"PATH": f"{stubbin}:{node_dir}:/usr/bin:/bin", "HOME": str(home.parent), "PM2_HOME": str(home)}


def _pm2(args: list[str], env: dict, cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([node_binary(), str(PM2_BIN), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def too_many(apps: list[dict]) -> str:
    """Why the tier will not start these apps (one environment's): more than MAX_PROCESSES processes."""
    asked = sum(app["instances"] or MAX_PROCESSES + 1 for app in apps if app["script"] is not None)
    return f"it asks for {asked} processes or more: the tier starts at most {MAX_PROCESSES}" \
        if asked > MAX_PROCESSES else ""


def start(copy_from: Path, config: Path, environment: str, apps: list[dict], start_timeout: float = 40.0,
          settle: float = 10.0, started_apps: list[dict] | None = None) -> Started:
    """Start ``config`` (inside the folder ``copy_from``, copied first) with ``pm2 start [--env NAME]``,
    read ``pm2 jlist`` and the stubs' reports, kill the daemon and remove the copy. ``apps`` are every
    app of the config (each gets a stub), ``started_apps`` those of this environment (default: all)."""
    started = Started()
    started.skipped = too_many(started_apps if started_apps is not None else apps)
    if started.skipped:
        return started
    tmp = Path(tempfile.mkdtemp(prefix="pl2-", dir="/tmp"))  # short: PM2's sockets live in PM2_HOME
    home, stubbin, work = tmp / "h", tmp / "b", tmp / "w"
    stubbin.mkdir()
    shutil.copytree(copy_from, work, symlinks=True)
    config_copy = work / config.relative_to(copy_from)
    env = _pm2_env(home, stubbin)
    try:
        started.skipped = place_stubs(apps, config_copy.parent, stubbin)
        if started.skipped:
            return started
        args = ["start", config_copy.name] + (["--env", environment] if environment else [])
        for attempt in range(3):
            try:
                proc = _pm2(args, env, config_copy.parent, start_timeout)
                started.output = proc.stdout + proc.stderr
            except subprocess.TimeoutExpired as exc:
                started.timed_out = True
                started.output = _text(exc.stdout) + _text(exc.stderr)
            missing = [Path(m) for m in _SCRIPT_NOT_FOUND.findall(started.output)]
            packages = [m for m in _MODULE_NOT_FOUND.findall(started.output) if not m.startswith((".", "/"))]
            if attempt == 2 or not (missing or packages) or not all(tmp in m.parents for m in missing):
                break
            for place in missing:  # a script portlint could not place (a computed cwd): where PM2 looked
                place.parent.mkdir(parents=True, exist_ok=True)
                place.write_text(JS_STUB, encoding="utf-8")
                place.chmod(0o755)
            for name in packages:  # a package the config requires (dotenv): an empty stand-in
                package = work / "node_modules" / name
                package.mkdir(parents=True, exist_ok=True)
                (package / "index.js").write_text(PACKAGE_STUB, encoding="utf-8")
            _kill_daemon(env, home, config_copy.parent)
            shutil.rmtree(home, ignore_errors=True)
        started.load_error = _load_error(started.output)
        deadline = time.monotonic() + settle
        while True:
            try:
                listed = _pm2(["jlist"], env, config_copy.parent, 30)
            except subprocess.TimeoutExpired:
                started.timed_out = True  # a daemon too busy to answer: what it started is not known
                break
            started.processes = json.loads(listed.stdout or "[]")
            _read_logs(started)
            waiting = [p for p in started.processes if _expects_report(p) and p["pm_id"] not in started.reports]
            if not waiting or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        return started
    finally:
        _kill_daemon(env, home, config_copy.parent)
        shutil.rmtree(tmp, ignore_errors=True)


_SCRIPT_NOT_FOUND = re.compile(r"Script not found: (\S+)")
_MODULE_NOT_FOUND = re.compile(r"Cannot find module '([^']+)'")
#: An empty stand-in for a package a config requires (``require('dotenv').config()``): every member
#: is a function that returns an empty list (which spreads into apps and objects alike).
PACKAGE_STUB = "module.exports = new Proxy({}, { get: () => () => [] });\n"
_LOAD_ERRORS = re.compile(r"File .* malformated|Cannot find module '[^']*'|SyntaxError|is not defined|No script path")


def _text(data) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else (data or "")


def _load_error(output: str) -> str:
    """PM2's complaint when it could not load the config at all."""
    if "malformated" not in output:
        return ""
    m = _LOAD_ERRORS.search(output[output.index("malformated"):])
    return m.group(0) if m else "malformated"


def _expects_report(process: dict) -> bool:
    env = process.get("pm2_env", {})
    return env.get("status") == "online" and not env.get("pm_exec_path", "").endswith("Serve.js")


def _read_logs(started: Started) -> None:
    """The stubs' reports, matched to PM2's processes by pid (a stub run by ``bash -c`` is its child;
    the instances of a fork-mode app may share one log file)."""
    by_pid: dict[int, dict] = {}
    for path in {p.get("pm2_env", {}).get("pm_out_log_path") for p in started.processes}:
        for line in _read(path).splitlines():
            if line.startswith(STUB_MARK):
                report = json.loads(line[len(STUB_MARK):])
                by_pid[report["pid"]] = report
                by_pid.setdefault(report["ppid"], report)
    for process in started.processes:
        env = process.get("pm2_env", {})
        pm_id = process.get("pm_id")
        if process.get("pid") in by_pid:
            started.reports[pm_id] = by_pid[process["pid"]]
        out = _read(env.get("pm_out_log_path"))
        if env.get("pm_exec_path", "").endswith("Serve.js"):
            m = _SERVE_LISTENS.search(out) or _SERVE_TAKEN.search(_read(env.get("pm_err_log_path")))
            if m:
                started.serve_ports[pm_id] = int(m.group(1))


def _read(path: str | None) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace") if path else ""
    except OSError:
        return ""


def _kill_daemon(env: dict, home: Path, cwd: Path) -> None:
    """Kill the daemon and everything it started: every process whose environment names this run's
    PM2_HOME (the daemon, its apps, a shell's children). SIGKILL, the daemon first so that it restarts
    nothing; faster than ``pm2 kill``, which waits for each app to stop."""
    if not os.path.isdir("/proc"):  # nothing to find our processes by: let PM2 do it
        try:
            _pm2(["kill"], env, cwd if cwd.exists() else home.parent, 30)
        except subprocess.TimeoutExpired:
            pass
        return
    mark = f"PM2_HOME={home}".encode()
    try:
        _kill(int((home / "pm2.pid").read_text().strip()), mark)
    except (OSError, ValueError):
        pass
    for _ in range(50):
        found = [pid for pid in _pids() if _kill(pid, mark)]
        if not found:
            return
        time.sleep(0.05)


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()] if os.path.isdir("/proc") else []


def _kill(pid: int, mark: bytes) -> bool:
    """SIGKILL ``pid`` if its environment holds ``mark`` (this run's PM2_HOME): only what we started."""
    if pid <= 1 or pid == os.getpid():
        return False
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    if mark not in environ.split(b"\0"):
        return False
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        return False
    return True


# --- comparing PM2 with --show-resolved ----------------------------------------------------------

#: Keys PM2 itself adds to every app's environment, or the clean environment the tier runs it in:
#: never from the config (see DELIBERATE_DIFFERENCES in tests/test_pm2_tier.py).
_PORTISH = re.compile(r"PORT", re.IGNORECASE)
_PORT_FLAG = re.compile(r"^--port(?:=(.*))?$")


def js_string(value) -> str:
    """A JSON value as JavaScript's String() writes it (what a process gets in its environment)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def _flag_ports(argv: list[str]) -> list[str]:
    """The values of ``--port N`` / ``--port=N`` in a process's real arguments."""
    found = []
    for i, arg in enumerate(argv):
        m = _PORT_FLAG.match(arg)
        if not m:
            continue
        if m.group(1) is not None:
            found.append(m.group(1))
        elif i + 1 < len(argv):
            found.append(argv[i + 1])
    return found


def compare(config: dict, environment: dict, started: Started, ignored_env: frozenset) -> list[str]:
    """Every difference between portlint's view of one environment (--show-resolved JSON: the config
    and one of its environments) and what PM2 started: per app and instance, the exec mode, the
    instance count, the env, args, node_args and the ports the process listens on through --port,
    the inspector and PM2's static server."""
    problems: list[str] = []
    if not config["starts"]:
        if started.processes:
            problems.append(f"portlint says PM2 starts nothing ({config['load_problem']}), PM2 started "
                            f"{sorted({p['pm2_env']['name'] for p in started.processes})}")
        return problems
    by_name: dict[str, list[dict]] = {}
    for process in sorted(started.processes, key=lambda p: p["pm_id"]):
        by_name.setdefault(process["pm2_env"]["name"], []).append(process)
    ours: dict[str, list[tuple[dict, dict]]] = {}
    for app in environment["apps"]:
        if app["starts"]:
            ours.setdefault(app["name"], []).extend((app, i) for i in app["instance_list"])
        elif app["name"] in by_name and not any(a["starts"] for a in environment["apps"] if a["name"] == app["name"]):
            problems.append(f"{app['name']}: portlint says PM2 does not start it ({app['why_not']}), PM2 started "
                            f"{len(by_name[app['name']])}")
    if config["apps_complete"]:
        for name in sorted(set(by_name) - set(ours)):
            problems.append(f"{name}: PM2 started {len(by_name[name])} process(es) portlint does not list")
    inspected_cluster: list[int] = []
    unseen = False  # an inspected cluster worker that is no stub (PM2's static server) says nothing
    for name, expected in ours.items():
        theirs = by_name.get(name, [])
        if len(theirs) != len(expected):
            problems.append(f"{name}: portlint says {len(expected)} instance(s), PM2 started {len(theirs)}")
            continue
        for (app, instance), process in _pairs(expected, theirs, started, ignored_env):
            where = f"{name} instance {instance['instance']}"
            problems += _compare_instance(where, app, instance, process, started, ignored_env)
            report = started.reports.get(process["pm_id"])
            if app["exec_mode"] == "cluster" and instance.get("inspector") is not None:
                if report is None:
                    unseen = True
                elif report.get("debugPort") is not None:
                    inspected_cluster.append(report["debugPort"])
    if config["apps_complete"] and not unseen \
            and sorted(inspected_cluster) != sorted(environment["cluster_inspector_ports"]):
        problems.append(f"inspected cluster workers: portlint says {environment['cluster_inspector_ports']}, "
                        f"Node gave {sorted(inspected_cluster)}")
    return problems


def _pairs(expected: list[tuple[dict, dict]], theirs: list[dict], started: Started, ignored_env: frozenset):
    """Portlint's instances of one name paired with PM2's processes of that name: in order, or, when
    several apps share the name (PM2 starts two at a time, so their instances interleave), each
    process with the instance it differs from least."""
    if len({id(app) for app, _ in expected}) == 1:
        return list(zip(expected, theirs))
    left = list(expected)
    pairs = []
    for process in theirs:
        best = min(left, key=lambda e: len(_compare_instance("", e[0], e[1], process, started, ignored_env)))
        left.remove(best)
        pairs.append((best, process))
    return pairs


def _compare_instance(where: str, app: dict, instance: dict, process: dict, started: Started,
                      ignored_env: frozenset) -> list[str]:
    problems = []
    pm2_env = process["pm2_env"]
    mode = pm2_env.get("exec_mode", "").replace("_mode", "")
    if app["exec_mode"] != mode:
        problems.append(f"{where}: exec mode {app['exec_mode']} ({app['exec_mode_reason']}), PM2 runs {mode}")
    report = started.reports.get(process["pm_id"])
    got_env = report["env"] if report else {k: js_string(v) for k, v in pm2_env.get("env", {}).items()}
    expected_env = {v["key"]: v for v in app["env"]}
    for key, value in instance["env"].items():
        expected_env[key] = {"key": key, "value": value, "known": value is not None}
    for key, var in expected_env.items():
        if not var["known"]:
            continue
        if key not in got_env:
            problems.append(f"{where}: env {key}={js_string(var['value'])} (from {var.get('from', 'increment_var')}), "
                            "PM2 does not set it")
        elif js_string(var["value"]) != js_string(got_env[key]):
            problems.append(f"{where}: env {key}={js_string(var['value'])} (from {var.get('from', 'increment_var')}), "
                            f"PM2 gives {got_env[key]!r}")
    own_fields = set(pm2_env) - set(pm2_env.get("env", {}))  # PM2 passes its own fields to fork-mode apps
    own_fields.add(pm2_env.get("name"))  # and an empty object under the app's name
    for key in sorted(got_env):
        if _PORTISH.search(key) and key not in expected_env and key not in ignored_env and key not in own_fields:
            problems.append(f"{where}: PM2 gives env {key}={got_env[key]!r}, portlint does not list it")
    for name in ("args", "node_args"):
        ours = app[name]
        theirs = pm2_env.get(name)
        theirs = [] if theirs is None else theirs if isinstance(theirs, list) else [theirs]
        if ours["known"] and ours["values"] != [js_string(t) for t in theirs]:
            problems.append(f"{where}: {name} {ours['values']}, PM2 gives {theirs}")
    if report is not None:
        problems += _compare_listening(where, app, instance, report)
    if process["pm_id"] in started.serve_ports:
        ours = sorted(p["port"] for p in instance["listens"] if p["port"] is not None)
        if started.serve_ports[process["pm_id"]] not in ours:
            problems.append(f"{where}: PM2's static server listens on {started.serve_ports[process['pm_id']]}, "
                            f"portlint says {ours}")
    return problems


def _compare_listening(where: str, app: dict, instance: dict, report: dict) -> list[str]:
    """--port in the arguments the process really got, and its inspector, against portlint's."""
    problems = []
    ours_flags = sorted(js_string(p["port"]) for p in instance["listens"]
                        if p["key"] == "--port" and p["port"] is not None)
    unknown_flags = any(p["key"] == "--port" and p["port"] is None for p in instance["listens"])
    theirs_flags = sorted(_flag_ports(report["argv"]))
    if not unknown_flags and ours_flags != [t for t in theirs_flags if t.isdigit()]:
        problems.append(f"{where}: --port {ours_flags} by portlint, the process got --port {theirs_flags} "
                        f"(argv {report['argv']})")
    inspector = instance.get("inspector")
    debug = report.get("debugPort")
    if app["exec_mode"] == "cluster":
        if (inspector is not None) != (debug is not None):
            problems.append(f"{where}: inspector {'on' if inspector else 'off'} by portlint, "
                            f"{'on at ' + str(debug) if debug is not None else 'off'} in the process")
    elif inspector is None and debug is not None:
        problems.append(f"{where}: the process opened the inspector on {debug}, portlint says none")
    elif inspector is not None and inspector["known"] and inspector["port"] != debug:
        problems.append(f"{where}: inspector on {inspector['port']} by portlint, {debug} in the process")
    return problems
