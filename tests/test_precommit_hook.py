"""The pre-commit hook a connector repository can use (``.pre-commit-hooks.yaml``):
it names a command this package installs, matches mapping files, and that command
passes a good mapping and fails a broken one, as pre-commit would run it."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _hook() -> dict[str, object]:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hook, dict)
    return hook


def test_the_hook_is_well_formed() -> None:
    hook = _hook()
    assert hook["id"] == "nflex-metrics-check"
    assert hook["language"] == "python"
    assert shlex.split(str(hook["entry"]))[0] == "nflex-metrics"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^nflex-metrics = "nflex_metrics\.cli:main"$', pyproject, re.M)


def test_the_hook_matches_mapping_files_only() -> None:
    files = re.compile(str(_hook()["files"]))
    for path in ("mapping.yaml", "mapping.yml", "connector/mapping.yaml"):
        assert files.search(path), path
    for path in ("mappings.yaml", "my_mapping.yaml", "mapping.yaml.bak", "mapping.json"):
        assert not files.search(path), path


def test_the_hook_command_passes_a_good_mapping_and_fails_a_broken_one(tmp_path: Path) -> None:
    entry = shlex.split(str(_hook()["entry"]))
    command = [sys.executable, "-m", "nflex_metrics", *entry[1:]]
    good = tmp_path / "good" / "mapping.yaml"
    bad = tmp_path / "bad" / "mapping.yaml"
    good.parent.mkdir()
    bad.parent.mkdir()
    shutil.copy(ROOT / "examples" / "mapping.yaml", good)
    bad.write_text("cpu:\n  conversion_expr: value * / 2\n", encoding="utf-8")
    # pre-commit appends the matching files to the entry.
    passed = subprocess.run([*command, str(good)], capture_output=True, text=True, cwd=ROOT)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    failed = subprocess.run(
        [*command, str(good), str(bad)], capture_output=True, text=True, cwd=ROOT
    )
    assert failed.returncode == 1
    assert f"{bad}:2:28: cpu: conversion_expr is invalid" in failed.stdout
