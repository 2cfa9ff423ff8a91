"""The examples in the engine's docstrings and in README.md run as written."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import warnings
from pathlib import Path

import pytest

import nflex_metrics

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    f"nflex_metrics.{info.name}"
    for info in pkgutil.iter_modules(nflex_metrics.__path__)
    if info.name != "__main__"
)

#: Modules that need an optional engine (an extra): checked when the engine is installed.
ENGINES = {"nflex_metrics.spark": "pyspark", "nflex_metrics.dask": "dask.dataframe"}


@pytest.mark.parametrize("name", ["nflex_metrics", *MODULES])
def test_docstring_examples_run(name: str) -> None:
    if name in ENGINES:
        pytest.importorskip(ENGINES[name])
    with warnings.catch_warnings():
        # strategies' examples call .example(), which hypothesis flags outside a REPL.
        warnings.simplefilter("ignore")
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_readme_examples_run() -> None:
    result = doctest.testfile(
        str(ROOT / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert result.attempted > 0
    assert result.failed == 0


def test_unparse_stays_the_function_after_its_module_is_imported() -> None:
    importlib.import_module("nflex_metrics.unparse")
    from nflex_metrics import unparse

    assert callable(unparse)
    assert unparse(nflex_metrics.parse("a+1")) == "a + 1"
