"""Run Python in a fresh interpreter where some packages are not installed: an import
hook makes importing them fail as it would without them. For the tests of what works
without an optional extra."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_HIDE = """
import sys

class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {hidden!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
"""


def run_without(
    hidden: Sequence[str], code: str, *, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` (dedented) with the top-level packages ``hidden`` uninstalled, from
    the repository root; nothing is hidden when ``hidden`` is empty."""
    hook = _HIDE.format(hidden=tuple(hidden)) if hidden else ""
    return subprocess.run(
        [sys.executable, "-c", hook + textwrap.dedent(code)],
        input=stdin,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
