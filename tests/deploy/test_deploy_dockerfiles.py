"""The services' Dockerfiles and .dockerignore, checked without a Docker engine: hadolint, the
multi-stage layout, what the build context holds, user, healthcheck and entrypoint."""

from __future__ import annotations

import re
import shlex
import subprocess
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

from tests.deploy.metric_queries import REPO_ROOT
from tests.deploy.service_settings import SERVICES
from tests.deploy.tools import require_tool

pytestmark = pytest.mark.unit

DOCKERIGNORE = REPO_ROOT / ".dockerignore"


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def args_of(self, instruction: str) -> list[str]:
        return [args for name, args in self.instructions if name == instruction]


def parse_dockerfile(text: str) -> list[Stage]:
    """Stages with their (INSTRUCTION, arguments) in order; continuations joined, comments gone."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    stages: list[Stage] = []
    for line in logical:
        instruction, _, args = line.partition(" ")
        instruction = instruction.upper()
        args = " ".join(args.split())
        if instruction == "FROM":
            words = args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
        elif stages:
            stages[-1].instructions.append((instruction, args))
    return stages


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i:]:
            end = pattern.index("]", i)
            out += "[" + pattern[i + 1 : end].replace("!", "^", 1) + "]"
            i = end + 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(f"^{out}$")


def dockerignore_rules(text: str) -> list[tuple[re.Pattern[str], bool]]:
    """(pattern, is_exception) in file order, as Docker reads .dockerignore."""
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = line[1:].strip() if exception else line
        rules.append((_pattern_regex(pattern.strip("/")), exception))
    return rules


def is_excluded(path: str, rules: list[tuple[re.Pattern[str], bool]]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: k + 1]) for k in range(len(parts))]
    excluded = False
    for regex, exception in rules:
        if any(regex.match(prefix) for prefix in prefixes):
            excluded = not exception
    return excluded


@cache
def _local_distributions() -> dict[str, Path]:
    found = {}
    for pyproject in [
        *REPO_ROOT.glob("libs/*/pyproject.toml"),
        *REPO_ROOT.glob("services/*/pyproject.toml"),
    ]:
        found[tomllib.loads(pyproject.read_text())["project"]["name"]] = pyproject.parent
    return found


def local_dependency_closure(directory: Path) -> set[Path]:
    """The package at `directory` and every reelforge-* package it needs, transitively."""
    local = _local_distributions()
    needed = {directory}
    queue = [directory]
    while queue:
        project = tomllib.loads((queue.pop() / "pyproject.toml").read_text())["project"]
        for requirement in project.get("dependencies", []):
            name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
            if name in local and local[name] not in needed:
                needed.add(local[name])
                queue.append(local[name])
    return needed


@pytest.fixture(scope="module")
def ignore_rules() -> list[tuple[re.Pattern[str], bool]]:
    return dockerignore_rules(DOCKERIGNORE.read_text())


def _stages(service: str) -> list[Stage]:
    return parse_dockerfile((REPO_ROOT / "services" / service / "Dockerfile").read_text())


def test_hadolint_finds_nothing() -> None:
    hadolint = require_tool("hadolint")
    dockerfiles = [str(REPO_ROOT / "services" / s / "Dockerfile") for s in SERVICES]

    result = subprocess.run(
        [hadolint, "--no-color", *dockerfiles], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_build_stage_makes_wheels_of_the_service_and_every_local_package_it_needs(
    service: str,
) -> None:
    build, *_ = _stages(service)
    (wheel_command,) = [a for a in build.args_of("RUN") if "pip wheel" in a]
    words = shlex.split(wheel_command)
    wheel_paths = {(REPO_ROOT / w).resolve() for w in words if w.startswith("./")}
    copied = {
        (REPO_ROOT / shlex.split(args)[0]).resolve()
        for args in build.args_of("COPY")
        if not args.startswith("--from")
    }

    assert "-c" in words
    assert words[words.index("-c") + 1] == "constraints.txt"
    assert wheel_paths == local_dependency_closure(REPO_ROOT / "services" / service)
    assert wheel_paths | {REPO_ROOT / "constraints.txt"} == copied


@pytest.mark.parametrize("service", SERVICES)
def test_runtime_stage_is_slim_non_root_and_healthchecked(service: str) -> None:
    stages = _stages(service)
    runtime = stages[-1]
    (user,) = runtime.args_of("USER")
    (healthcheck,) = runtime.args_of("HEALTHCHECK")
    (entrypoint,) = runtime.args_of("ENTRYPOINT")
    env = " ".join(runtime.args_of("ENV"))

    assert len(stages) >= 2
    assert any(a.startswith(f"--from={stages[0].name} ") for a in runtime.args_of("COPY"))
    assert runtime.base == stages[0].base
    assert user.split(":")[0] not in {"root", "0"}
    assert "/healthz" in healthcheck
    assert "HTTP_PORT=8080" in env
    assert "HTTP_HOST=0.0.0.0" in env
    assert runtime.args_of("EXPOSE") == ["8080"]
    assert entrypoint == f'["python", "-m", "reelforge.{service}"]'
    main = REPO_ROOT / "services" / service / "src" / "reelforge" / service / "__main__.py"
    assert main.is_file(), f"`python -m reelforge.{service}` needs {main}"


def test_python_base_image_is_slim() -> None:
    text = (REPO_ROOT / "services" / "render" / "Dockerfile").read_text()
    (default,) = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", text, flags=re.MULTILINE)

    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", default)


@pytest.mark.parametrize("service", SERVICES)
def test_build_context_keeps_everything_the_build_copies(
    service: str, ignore_rules: list[tuple[re.Pattern[str], bool]]
) -> None:
    build = _stages(service)[0]
    sources = [shlex.split(a)[0] for a in build.args_of("COPY") if not a.startswith("--from")]
    needed: list[str] = []
    for source in sources:
        path = REPO_ROOT / source
        assert path.exists(), f"COPY {source}: not in the repository"
        if path.is_file():
            needed.append(source)
            continue
        needed += [
            str(p.relative_to(REPO_ROOT))
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix in {".py", ".sql", ".toml", ".json", ".typed", ".cfg"}
            and "tests" not in p.relative_to(path).parts
            and not {"__pycache__", "build", "dist"} & set(p.relative_to(path).parts)
            and not any(part.endswith(".egg-info") for part in p.parts)
        ]

    assert [p for p in needed if is_excluded(p, ignore_rules)] == []
    assert any(p.endswith("pyproject.toml") for p in needed)


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/HEAD",
        ".reelforge/render/job.mp4",
        "services/render/tests/unit/test_render_circuit_breaker.py",
        "libs/runtime/tests/integration/test_runtime_dlq.py",
        "libs/runtime/src/reelforge_runtime.egg-info/PKG-INFO",
        "libs/runtime/src/reelforge/runtime/__pycache__/app.cpython-311.pyc",
        "tests/e2e/test_pipeline_e2e.py",
        "deploy/grafana/dashboards/reelforge.json",
    ],
)
def test_build_context_leaves_out_what_images_do_not_need(
    path: str, ignore_rules: list[tuple[re.Pattern[str], bool]]
) -> None:
    assert is_excluded(path, ignore_rules)


def test_dockerignore_matching_follows_docker_rules() -> None:
    rules = dockerignore_rules("**/*.log\ndocs\n!docs/keep.md\nsrc/*/gen\n/build/\n")

    assert is_excluded("a/b/c.log", rules)
    assert is_excluded("c.log", rules)
    assert is_excluded("docs/guide.md", rules)
    assert not is_excluded("docs/keep.md", rules)
    assert is_excluded("src/x/gen/file.py", rules)
    assert not is_excluded("src/x/y/gen/file.py", rules)
    assert is_excluded("build/out.whl", rules)
    assert not is_excluded("lib/build.py", rules)


def test_dockerfile_parser_joins_continuations_and_names_stages() -> None:
    stages = parse_dockerfile(
        "# syntax=docker/dockerfile:1\nARG X=1\nFROM python:3.11-slim AS build\n"
        "RUN a \\\n    && b\n# comment\nFROM python:3.11-slim\nUSER 10001\n"
    )

    assert [(s.base, s.name) for s in stages] == [
        ("python:3.11-slim", "build"),
        ("python:3.11-slim", None),
    ]
    assert stages[0].instructions == [("RUN", "a && b")]
    assert stages[1].args_of("USER") == ["10001"]
