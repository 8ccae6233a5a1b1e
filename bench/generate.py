"""Generate trees of realistic ecosystem configs for the benchmark (deterministic for a seed)."""
from __future__ import annotations

import os
import random

LABEL_KEYS = ["PORT", "WS_PORT", "HEALTH_PORT", "CDP_PORT", "VITE_PORT", "METRICS_PORT"]


def config_text(rng: random.Random, index: int) -> str:
    """One config, 0.3 to 16 KB: PORTS (flat or nested), env/env_production, args forms, spreads."""
    base = 5570 + rng.randrange(0, 20)
    n_apps = rng.choice([1, 1, 2, 3, 5, 8, 20, 40])
    n_ports = min(30, max(1, n_apps + rng.randrange(0, 3)))
    lines = [f"// app {index}: generated for the portlint benchmark", "'use strict';",
             "const path = require('path');", ""]
    nested = rng.random() < 0.3
    lines.append("const PORTS = {")
    keys = []
    if nested:
        lines.append("  server: {")
        for i in range(n_ports):
            lines.append(f"    p{i}: {base + i}, // service {i} of app {index}")
            keys.append(f"PORTS.server.p{i}")
        lines.append("  },")
    else:
        for i in range(n_ports):
            lines.append(f"  P{i}: {base + i}, // service {i} of app {index}")
            keys.append(f"PORTS.P{i}")
    lines.append("};")
    lines.append("")
    lines.append("const shared = {")
    lines.append("  max_memory_restart: '300M',")
    lines.append("  env: { NODE_ENV: 'development', LOG_LEVEL: 'info' },")
    lines.append("};")
    lines.append("")
    lines.append("module.exports = {")
    lines.append("  PORTS,")
    lines.append("  apps: [")
    for a in range(n_apps):
        ref = keys[a % len(keys)]
        key = rng.choice(LABEL_KEYS)
        style = rng.random()
        lines.append("    {")
        lines.append(f"      name: 'app{index}-svc{a}',")
        lines.append(f"      script: path.join(__dirname, 'svc{a}', 'index.js'),")
        lines.append("      ...shared,")
        if style < 0.4:
            lines.append(f"      env: {{ ...shared.env, {key}: {ref} }},")
            lines.append(f"      env_production: {{ NODE_ENV: 'production', {key}: {ref} }},")
        elif style < 0.7:
            lines.append(f"      args: `--port ${{{ref}}} --host 0.0.0.0`,")
            lines.append(f"      env: {{ VITE_PORT: {ref} }},")
        elif style < 0.85:
            lines.append(f"      args: ['--port', String({ref})],")
            lines.append(f"      env: {{ PORT: process.env.PORT_{a} || {ref} }},")
        else:
            lines.append(f"      env: {{ PORT: {base + (a % n_ports)} }},  // a literal on purpose")
        if rng.random() < 0.3:
            lines.append("      instances: 2,")
            lines.append("      exec_mode: 'cluster',")
        lines.append("    },")
    lines.append("  ],")
    lines.append("};")
    text = "\n".join(lines) + "\n"
    if len(text) < 300:
        text += "// " + "padding " * 40 + "\n"
    return text


def generate(root: str, count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        folder = os.path.join(root, f"group{i // 100:03d}", f"app{i:05d}")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "ecosystem.config.cjs")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(config_text(rng, i))
        paths.append(path)
    return paths
