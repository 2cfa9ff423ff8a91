"""A pytest plugin that runs mapping test files as part of a project's test suite.

Installed with the package (entry point ``pytest11``), so a plain ``pytest`` run collects
every ``*.mapping-test.yaml`` (or ``.yml``) file it meets, as it collects ``test_*.py``:
one test item per case, named ``metric[N]``, failing with
``file:line: metric: input → got X, expected Y``. An item per case rather than per
metric: each case has its own line and outcome, a failing case does not hide the ones
after it, and ``-k metric`` still selects a metric's cases. A broken test file or mapping is a
collection error listing every problem with its file, line and column.

Loading the plugin imports nothing heavy (no PyYAML, hypothesis or Lark): it only looks
at file names until a test file is found. It needs pytest 7 or later (with an older
pytest it does nothing); ``-p no:nflex_metrics`` disables it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

import pytest

from .testing import TEST_FILE_SUFFIXES

if TYPE_CHECKING:
    from _pytest._code.code import ExceptionInfo, TerminalRepr

    from .mapping import ParsedEntry
    from .testing import CaseResult, ConversionCase

__all__ = ["MappingTestCase", "MappingTestFile"]


#: The hook below uses pytest 7's API; with an older pytest the plugin stays inert rather
#: than break the run.
_SUPPORTED = int(pytest.__version__.split(".")[0]) >= 7

if _SUPPORTED:

    def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Optional[pytest.File]:
        """Collect mapping test files; every other file is left to pytest and other plugins."""
        if file_path.name.endswith(TEST_FILE_SUFFIXES):
            collector: MappingTestFile = MappingTestFile.from_parent(parent, path=file_path)
            return collector
        return None


def _shown(path: Path, start: Path) -> str:
    """``path`` as reports show it: relative to where pytest was started, when it can be."""
    try:
        return os.path.relpath(path, start)
    except ValueError:  # another drive
        return str(path)


class MappingTestFile(pytest.File):
    """A mapping test file: loads it and its mapping, and yields one item per case."""

    def collect(self) -> list[pytest.Item]:
        from .testing import iter_cases, load_mapping_tests, load_tested_mapping

        tests = load_mapping_tests(_shown(self.path, self.config.invocation_params.dir))
        mapping = load_tested_mapping(tests)
        return [
            MappingTestCase.from_parent(
                self,
                name=f"{metric.metric}[{index}]",
                metric=metric.metric,
                index=index,
                case=case,
                entry=mapping[metric.metric],
            )
            for metric, index, case in iter_cases(tests)
        ]

    def repr_failure(self, excinfo: ExceptionInfo[BaseException]) -> Union[str, TerminalRepr]:
        """Problems of the test file or its mapping, as ``nflex-metrics test`` prints them."""
        from .errors import MappingError
        from .testing import MappingTestError

        if isinstance(excinfo.value, (MappingTestError, MappingError)):
            from ._console import problem_text

            head = str(excinfo.value).splitlines()[0]  # "N problems in ..."
            return "\n".join([head, *map(problem_text, excinfo.value.problems)])
        return super().repr_failure(excinfo)


class CaseFailed(Exception):
    """A case whose conversion did not give what it expects."""

    def __init__(self, result: CaseResult) -> None:
        super().__init__(str(result))
        self.result = result


class MappingTestCase(pytest.Item):
    """One case of a mapping test file."""

    def __init__(
        self,
        *,
        metric: str,
        index: int,
        case: ConversionCase,
        entry: ParsedEntry,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.metric = metric
        self.index = index
        self.case = case
        self.entry = entry

    def runtest(self) -> None:
        from .testing import CaseResult, run_case

        passed, got = run_case(self.entry, self.case)
        if not passed:
            file = _shown(self.path, self.config.invocation_params.dir)
            raise CaseFailed(CaseResult(file, self.metric, self.index, self.case, got, passed))

    def repr_failure(
        self,
        excinfo: ExceptionInfo[BaseException],
        style: Any = None,
    ) -> Union[str, TerminalRepr]:
        """``file:line: metric: input → got X, expected Y``, without a traceback."""
        if isinstance(excinfo.value, CaseFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, Optional[int], str]:
        return self.path, self.case.line - 1, f"{self.metric}[{self.index}]"
