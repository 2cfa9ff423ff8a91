"""Dask is optional: without it the package works as before, and
``nflex_metrics.dask`` says which extra to install. Each check runs in a fresh
interpreter, where an import hook makes Dask uninstalled."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HIDE_DASK = """
import sys

class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("dask", "distributed"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
"""


def run_without_dask(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", HIDE_DASK + textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_package_works_without_dask_and_the_dask_module_names_the_extra() -> None:
    result = run_without_dask(
        """
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
            table = pyarrow.table({"metric": ["cpu_usage"], "value": [0.5]})
            assert convert_table(table, mapping).column("value").to_pylist() == [50.0]
        try:
            import nflex_metrics.dask
        except ImportError as err:
            print(err)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "pip install 'nflex-connector-utils[dask]'" in result.stdout
