"""PySpark and Dask are optional: without them the package works as before, and
``nflex_metrics.spark`` / ``nflex_metrics.dask`` say which extra to install."""

from __future__ import annotations

import pytest
from uninstalled import run_without


@pytest.mark.parametrize(
    ("module", "hidden"),
    [("spark", ("pyspark", "py4j")), ("dask", ("dask", "distributed"))],
)
def test_the_package_works_without_the_engine_and_its_module_names_the_extra(
    module: str, hidden: tuple[str, ...]
) -> None:
    result = run_without(
        hidden,
        f"""
        import nflex_metrics
        from nflex_metrics import load_metric_mapping
        mapping = load_metric_mapping("examples/mapping.yaml")
        assert mapping["cpu_usage"].value(value=0.5) == 50.0
        try:
            import pyarrow
        except ImportError:
            pass
        else:
            from nflex_metrics.columnar import convert_table
            table = pyarrow.table({{"metric": ["cpu_usage"], "value": [0.5]}})
            assert convert_table(table, mapping).column("value").to_pylist() == [50.0]
        try:
            import nflex_metrics.{module}
        except ImportError as err:
            print(err)
        """,
    )
    assert result.returncode == 0, result.stderr
    assert f"pip install 'nflex-connector-utils[{module}]'" in result.stdout
