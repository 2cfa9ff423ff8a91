"""Development sessions: ``nox -l`` lists them, ``nox -s tests`` runs the suite on every
supported Python that is installed (a missing interpreter is skipped, not failed).

On machines with pyenv, every installed version is found (``~/.pyenv/versions``).
"""

from __future__ import annotations

import glob
import os

import nox

PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]

nox.options.sessions = ["tests", "lint", "typing", "docs"]
nox.options.error_on_missing_interpreters = False
nox.options.download_python = "never"
nox.options.reuse_existing_virtualenvs = True


def _pyenv_path() -> None:
    """Put each pyenv-installed Python's ``bin`` on PATH so ``python3.X`` is found even
    where pyenv's shims only answer for the active version."""
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = sorted(glob.glob(os.path.join(root, "versions", "3.*", "bin")), reverse=True)
    if found:
        os.environ["PATH"] = os.pathsep.join([*found, os.environ.get("PATH", "")])


_pyenv_path()


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The default test suite (what the README's test command runs)."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("ruff>=0.4")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict on both packages, checked for the oldest supported Python."""
    session.install("-e", ".[dev]")
    session.run("mypy", "--strict", "nflex_metrics", "nflex_connector_utils")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site; warnings are errors."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")
