"""Readers for the deploy files, the way Docker, Compose and systemd read them.

No Docker engine or systemd runs the tests, so each test takes the command line, the
environment and the stop signal from these files and runs that against the fake Bot API.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines, # comments and blank lines: the subset systemd and Compose read alike."""
    values = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"[A-Z_][A-Z0-9_]*", key), f"{path.name}:{number}: not KEY=VALUE: {line!r}"
        values[key] = value
    return values


def filled_in(example: str, **values: str) -> str:
    """example.env as an operator fills it in: GROUNDBOT_TOKEN set, other settings uncommented and set."""
    for name, value in values.items():
        variable = f"GROUNDBOT_{name.upper()}"
        example, found = re.subn(rf"^#?{variable}=$", f"{variable}={value}", example, flags=re.M)
        assert found == 1, variable
    return example


@dataclass
class Dockerfile:
    """The instructions of one Dockerfile that matter at run time."""

    base: str = ""
    env: dict[str, str] = field(default_factory=dict)
    user: str = ""
    entrypoint: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)
    healthcheck: list[str] = field(default_factory=list)
    stopsignal: str = "SIGTERM"
    volumes: list[str] = field(default_factory=list)
    expose: list[int] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)  # COPY sources, relative to the build context
    workdir: str = "/"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    logical, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    assert not current, "the Dockerfile ends inside a continued line"
    pairs = []
    for line in logical:
        word, _, rest = line.partition(" ")
        pairs.append((word.upper(), rest.strip()))
    return pairs


def exec_form(arguments: str) -> list[str]:
    """A JSON-array ("exec form") instruction; the shell form would put /bin/sh -c in front."""
    value = json.loads(arguments)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), arguments
    return value


def dockerfile(path: Path = DEPLOY / "Dockerfile") -> Dockerfile:
    parsed = Dockerfile()
    for word, rest in instructions(path.read_text(encoding="utf-8")):
        if word == "FROM":
            parsed.base = rest.split()[0]
        elif word == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                parsed.env[key] = value
        elif word == "USER":
            parsed.user = rest
        elif word == "ENTRYPOINT":
            parsed.entrypoint = exec_form(rest)
        elif word == "CMD":
            parsed.cmd = exec_form(rest)
        elif word == "HEALTHCHECK":
            options, _, command = rest.partition("CMD ")
            parsed.healthcheck = exec_form(command)
        elif word == "STOPSIGNAL":
            parsed.stopsignal = rest
        elif word == "VOLUME":
            parsed.volumes += exec_form(rest)
        elif word == "EXPOSE":
            parsed.expose += [int(p.split("/")[0]) for p in rest.split()]
        elif word == "COPY":
            parts = [p for p in rest.split() if not p.startswith("--")]
            parsed.copies += parts[:-1]
        elif word == "WORKDIR":
            parsed.workdir = rest
    return parsed


def compose_service(name: str = "groundbot") -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))["services"][name]


def interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """Compose's ${VAR:-default} (and ${VAR}), from ``env``."""
    env = env or {}

    def one(match: re.Match) -> str:
        name, default = match[1], match[3] or ""
        return env.get(name) or default

    return re.sub(r"\$\{([A-Z_][A-Z0-9_]*)(:-([^}]*))?\}", one, value)


def seconds(duration: str) -> float:
    """'30s', '1m30s', '90' (systemd and Compose durations) in seconds."""
    total, found = 0.0, False
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|min|sec)?", duration):
        found = True
        total += float(number) * {"ms": 0.001, "": 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}[unit]
    assert found, duration
    return total


def unit(path: Path = DEPLOY / "groundbot.service") -> dict[str, dict[str, list[str]]]:
    """A systemd unit: section -> key -> every value given (keys like SystemCallFilter repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None and "=" in line, f"{path.name}:{number}: {line!r}"
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections
