"""Throwaway virtualenvs for each side of the comparison, cached outside the repository.

A venv's directory name carries a hash of its requirements and base interpreter, and a
marker file is written only after ``pip install`` succeeded, so a half-built venv is
rebuilt and a changed requirement gets a new venv. ``--refresh`` rebuilds them all.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

#: Where the venvs live unless ``--cache-dir`` or ``NFLEX_BENCH_CACHE`` says otherwise.
DEFAULT_CACHE_DIR = Path(
    os.environ.get("NFLEX_BENCH_CACHE", Path.home() / ".cache" / "nflex-bench")
).expanduser()

_MARKER = "nflex-bench-ready.json"


@dataclass(frozen=True)
class Side:
    """One column of the comparison: a library installed in its own venv."""

    key: str
    title: str
    adapter: str
    requirements: tuple[str, ...]
    #: Our package is imported from the working tree, not installed.
    from_tree: bool = False
    #: Whether it has a mapping loader (cold-start and conversion workloads).
    has_mapping: bool = True


@dataclass
class Env:
    """A ready venv for one side."""

    side: Side
    python: str
    #: ``pip freeze`` of the venv, for the report.
    freeze: list[str] = field(default_factory=list)


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def project_dependencies(pyproject: Path) -> tuple[str, ...]:
    """The ``[project] dependencies`` of ``pyproject.toml`` (our side's venv needs them)."""
    text = pyproject.read_text(encoding="utf-8")
    try:
        tomllib = importlib.import_module("tomllib")
        return tuple(tomllib.loads(text)["project"]["dependencies"])
    except ImportError:  # Python < 3.11: the list is simple enough for a regex
        block = re.search(r"^dependencies\s*=\s*\[(.*?)\]", text, re.S | re.M)
        return tuple(re.findall(r'"([^"]+)"', block.group(1))) if block else ()


def venv_dir(cache_dir: Path, side: Side, base_python: str) -> Path:
    """The cache directory for ``side``: its key plus a hash of what goes into it."""
    ident = json.dumps([side.requirements, base_python, sys.version_info[:2]])
    digest = hashlib.sha256(ident.encode()).hexdigest()[:12]
    return cache_dir / f"{side.key}-{digest}"


def ensure_venv(
    side: Side,
    cache_dir: Path,
    base_python: str,
    *,
    refresh: bool = False,
    log: Callable[[str], None] = print,
) -> Env:
    """Create (or reuse) the venv for ``side`` and return how to run its Python.

    Raises ``RuntimeError`` with pip's output when the venv cannot be built.
    """
    venv = venv_dir(cache_dir, side, base_python)
    marker = venv / _MARKER
    python = _bin(venv, "python.exe" if os.name == "nt" else "python")
    if refresh or not marker.exists():
        if venv.exists():
            shutil.rmtree(venv)
        log(f"  creating venv {venv} ({', '.join(side.requirements) or 'no packages'})")
        cache_dir.mkdir(parents=True, exist_ok=True)
        _run([base_python, "-m", "venv", str(venv)])
        if side.requirements:
            _run([str(python), "-m", "pip", "install", "-q", *side.requirements])
        freeze = _run([str(python), "-m", "pip", "freeze", "--all"]).splitlines()
        marker.write_text(json.dumps({"requirements": side.requirements, "freeze": freeze}))
    data = json.loads(marker.read_text())
    return Env(side=side, python=str(python), freeze=list(data.get("freeze", [])))


def _run(cmd: list[str]) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_pip_env())
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def _pip_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.pop("PYTHONPATH", None)
    return env


def current_python_env(side: Side, python: Optional[str] = None) -> Env:
    """An Env that runs ``side`` with an existing interpreter (no venv; smoke tests)."""
    return Env(side=side, python=python or sys.executable)
