"""NumPy and pyarrow are optional: without them the package works as before, and the
columnar entry points say which extra to install. Each check runs in a fresh
interpreter, where an import hook makes NumPy, pyarrow and pandas uninstalled."""

from __future__ import annotations

from uninstalled import run_without

COLUMNAR = ("numpy", "pyarrow", "pandas")

EXTRA = "pip install 'nflex-connector-utils[columnar]'"


def test_the_engine_works_without_numpy_and_pyarrow() -> None:
    result = run_without(
        COLUMNAR,
        """
        import nflex_metrics
        from nflex_metrics import compile, load_metric_mapping
        expr = compile("value * 100 if total > 0 else 0")
        assert expr.evaluate({"value": 0.5, "total": 1}) == 50.0
        assert expr.evaluate_columns({"value": [1, None], "total": [1, 1]}) == [100.0, None]
        mapping = load_metric_mapping("examples/mapping.yaml")
        assert all(entry.name() is not None for entry in mapping.values())
        print("ok")
        """,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_evaluate_arrays_names_the_extra_without_numpy() -> None:
    result = run_without(
        COLUMNAR,
        """
        from nflex_metrics import compile
        try:
            compile("value * 2").evaluate_arrays({})
        except ImportError as err:
            print(err)
        """,
    )
    assert result.returncode == 0, result.stderr
    assert EXTRA in result.stdout


def test_convert_table_names_the_extra_without_numpy() -> None:
    result = run_without(
        COLUMNAR,
        """
        try:
            from nflex_metrics.columnar import convert_table
        except ImportError as err:
            print(err)
        """,
    )
    assert result.returncode == 0, result.stderr
    assert EXTRA in result.stdout


def test_importing_and_using_the_engine_does_not_import_numpy() -> None:
    result = run_without(
        (),  # installed: the engine must not import them
        """
        import sys
        import nflex_metrics
        from nflex_metrics import compile, load_metric_mapping
        compile("CASE WHEN a > 0 THEN a END").evaluate({"a": 1})
        load_metric_mapping("examples/mapping.yaml")
        print(sorted(m for m in ("numpy", "pyarrow", "pandas") if m in sys.modules))
        """,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
