"""The HTML port map: what it draws matches the model, it needs no network, it stays readable at
500 configs, and headless Chromium renders it to a non-blank picture."""
import re
import shutil
import subprocess
import sys
from xml.etree import ElementTree as ET

import pytest

from conftest import FIXTURES, need, run_portlint

SVG = "{http://www.w3.org/2000/svg}"
TREES = [str(FIXTURES / "valid"), str(FIXTURES / "rules" / "PL203"), str(FIXTURES / "rules" / "PL301"),
         str(FIXTURES / "rules" / "PL201" / "gap")]


def cells(html: str) -> dict[int, dict]:
    out = {}
    for block in re.findall(r"<svg .*?</svg>", html, flags=re.S):
        root = ET.fromstring(block)
        for g in root.iter(f"{SVG}g"):
            port = int(g.get("data-port"))
            processes = {tuple(p.split("|", 1)) for p in g.get("data-processes").split(";") if p}
            out[port] = {"classes": set(g.get("class").split()), "processes": processes,
                         "title": g.find(f"{SVG}title").text, "codes": g.get("data-codes").split()}
    return out


@pytest.fixture(scope="module")
def html():
    proc = run_portlint("--map", "--format", "html", "--next-free", "2", *TREES)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def lint_ports(code: str) -> set[int]:
    """The ports lint's JSON output reports ``code`` about, for the same paths."""
    import json

    return {p for d in json.loads(run_portlint("--format", "json", *TREES).stdout) if d["code"] == code
            for p in d["ports"]}


def test_every_port_of_the_model_is_drawn_with_its_processes(html):
    import json

    data = json.loads(run_portlint("--map", "--format", "json", *TREES).stdout)
    drawn = cells(html)
    expected: dict[int, set] = {}
    for row in data["ports"]:
        expected.setdefault(row["port"], set()).add((row["file"], row["process"]))
    collisions = lint_ports("PL203")  # two processes on one port are a collision only where lint says so
    assert collisions
    for port, processes in expected.items():
        assert drawn[port]["processes"] == processes
        assert "used" in drawn[port]["classes"]
        assert ("collision" in drawn[port]["classes"]) == (port in collisions)
    for port, cell in drawn.items():
        if port not in expected:
            assert "used" not in cell["classes"] and not cell["processes"]
    assert set(range(5554, 5600)) <= set(drawn)  # the three rulers are always drawn


def test_marks_and_hover_text(html):
    drawn = cells(html)
    # a literal 3000 is reported once, by PL301 (not also PL202): one mark, the finding's
    assert "well-known" in drawn[3000]["classes"] and "out-of-range" not in drawn[3000]["classes"]
    assert drawn[3000]["codes"] == ["PL301"]
    assert "collision" in drawn[5570]["classes"]
    assert "PL203: collision" in drawn[5570]["title"]
    gap = {p for p, c in drawn.items() if "gap" in c["classes"]}
    assert gap == lint_ports("PL201") and {5573, 5574} <= gap
    free = [p for p, c in drawn.items() if "next-free" in c["classes"]]
    block = run_portlint("--next-free", "2", *TREES).stdout.strip()
    assert free == list(range(int(block.split("-")[0]), int(block.split("-")[1]) + 1))
    tip = drawn[5554]["title"]
    assert "portos-client (devUi)" in tip and "ecosystem.config.cjs:21" in tip and "Vite dev server (React UI)" in tip
    assert "Legend" in html and "collision" in html and "well-known" in html and "gap inside" in html
    assert "What PortOS will list" in html and "portos-client (devUi 5554)" in html


def test_self_contained_no_network_light_and_dark(html):
    assert "<script" not in html and "<link" not in html and "@import" not in html and "url(" not in html
    urls = re.findall(r"https?://[^\s\"'<>)]+", html)
    assert urls == ["http://www.w3.org/2000/svg"] * html.count("<svg ")
    assert "prefers-color-scheme: dark" in html and "@media print" in html


def test_readable_with_500_configs(tmp_path):
    sys.path.insert(0, str(FIXTURES.parent / "bench"))
    from generate import generate

    generate(str(tmp_path), 500)
    proc = run_portlint("--map", "--format", "html", str(tmp_path))
    assert proc.returncode == 0
    page = proc.stdout
    assert page.count('<span class="swatch"') == 500
    assert len(cells(page)) < 200  # one cell per port in use, not per config
    assert len(page) < 3_000_000


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_renders_in_headless_chromium(html, tmp_path):
    browser = need(chromium(), "Chromium")
    from PIL import Image

    page = tmp_path / "map.html"
    page.write_text(html)
    shot = tmp_path / "map.png"
    for scheme in ("light", "dark"):
        args = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={tmp_path / ('profile-' + scheme)}", "--window-size=1400,1600",
                f"--screenshot={shot}", page.as_uri()]
        if scheme == "dark":
            args.insert(1, "--force-dark-mode")
            args.insert(1, "--blink-settings=preferredColorScheme=0")
        subprocess.run(args, capture_output=True, timeout=120)
        image = Image.open(shot).convert("RGB")
        assert image.size == (1400, 1600)
        colours = image.getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 20  # text, cells and marks, not a blank page
        background = max(colours)[1]
        busy = sum(n for n, c in colours if c != background)
        assert busy > 0.05 * 1400 * 1600
        if scheme == "dark":
            assert sum(background) < 200  # the page follows the dark scheme
        else:
            assert sum(background) > 600
