"""The surface-text strategies: every text drawn parses to the tree drawn with it, in
every dialect, and the draws reach the spellings canonical text never shows."""

from __future__ import annotations

import math
import re
from typing import Callable

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from nflex_metrics import parse, unparse
from nflex_metrics import strategies as nst
from nflex_metrics.nodes import Expr, Name, Number, walk

DIALECTS = ("full", "arithmetic", "ternary", "case", "simple")
#: Built once: building a strategy validates it, which costs more than a draw.
SURFACE_TEXTS = {dialect: nst.surface_texts(dialect) for dialect in DIALECTS}


@given(data=st.data())
def test_surface_texts_parse_to_the_tree_drawn_with_them_in_every_dialect(
    data: st.DataObject,
) -> None:
    # One property over (dialect, text): five parametrized copies would cost five times
    # the examples; the deep profile draws plenty of each dialect.
    dialect = data.draw(st.sampled_from(DIALECTS), label="dialect")
    text, tree = data.draw(SURFACE_TEXTS[dialect], label="text, tree")
    assert parse(text, dialect) == tree  # type: ignore[arg-type]


@given(nst.numbers().flatmap(lambda value: st.tuples(st.just(value), nst.number_spellings(value))))
def test_every_number_spelling_reads_as_the_same_float(drawn: tuple[float, str]) -> None:
    value, text = drawn
    parsed = parse(text)
    assert isinstance(parsed, Number)
    assert parsed.value == value or (math.isinf(value) and math.isinf(parsed.value))


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "1."), (1.0, "1.00"), (1.0, "001"), (250.0, "2.5E+2"), (0.001, "1e-3"), (1e5, "1e5")],
)
def test_number_spellings_include_the_usual_ones(value: float, text: str) -> None:
    assert _reaches(nst.number_spellings(value), lambda drawn: drawn == text)


def _keyword_names(tree: Expr) -> list[str]:
    return [
        node.name
        for node in walk(tree)
        if isinstance(node, Name) and node.name.lower() in nst.KEYWORDS
    ]


#: Things canonical text never shows, each with how to see it in a (text, tree) draw.
FEATURES: dict[str, Callable[[tuple[str, Expr]], bool]] = {
    "a keyword in mixed case": lambda d: (
        re.search(r"\b(?=\w*[a-z])(?=\w*[A-Z])(case|when|then|else|end)\b", d[0], re.I) is not None
    ),
    "a line break": lambda d: "\n" in d[0],
    "a carriage return": lambda d: "\r" in d[0],
    "a tab": lambda d: "\t" in d[0],
    "redundant parentheses": lambda d: "((" in d[0],
    "<>": lambda d: "<>" in d[0],
    "==": lambda d: "==" in d[0],
    "an exponent with a sign": lambda d: re.search(r"[0-9][eE][+-][0-9]", d[0]) is not None,
    "a number glued to a keyword": lambda d: (
        re.search(r"[0-9.](END|ELSE|THEN|WHEN|AND|OR|IS)", d[0], re.I) is not None
    ),
    "a keyword used as a name": lambda d: bool(_keyword_names(d[1])),
    "text that differs from the canonical text": lambda d: d[0] != unparse(d[1]),
}


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_surface_texts_reach_what_canonical_text_never_shows(feature: str) -> None:
    assert _reaches(SURFACE_TEXTS["full"], FEATURES[feature])


def test_the_legacy_dialects_use_case_and_null_as_names() -> None:
    def case_or_null_named(drawn: tuple[str, Expr]) -> bool:
        return any(name.lower() in ("case", "null") for name in _keyword_names(drawn[1]))

    assert _reaches(SURFACE_TEXTS["arithmetic"], case_or_null_named)


def test_surface_texts_reject_an_unknown_dialect() -> None:
    with pytest.raises(ValueError, match="unknown dialect"):
        nst.surface_texts("sql")


def test_number_spellings_reject_what_no_literal_can_be() -> None:
    for value in (-1.0, -0.0, math.nan):
        with pytest.raises(ValueError, match="number literals"):
            nst.number_spellings(value)


# ------------------------------------------------------------------ fuzzing samples


@given(st.data())
def test_metric_values_stay_finite_and_inside_their_range(data: st.DataObject) -> None:
    low = data.draw(st.floats(-1e6, 1e6), label="low")
    high = data.draw(st.floats(low, 1e12), label="high")
    value = data.draw(nst.metric_values(low, high, nullable=False), label="value")
    assert value is not None and math.isfinite(value) and low <= value <= high


@given(nst.metric_samples(["used", "total"], ranges={"total": (1.0, 10.0)}, nullable=["used"]))
def test_metric_samples_give_each_name_its_range_and_nullability(sample: dict[str, object]) -> None:
    assert sorted(sample) == ["total", "used"]
    total = sample["total"]
    assert isinstance(total, float) and 1.0 <= total <= 10.0
    used = sample["used"]
    assert used is None or (isinstance(used, float) and math.isfinite(used) and used >= 0)


@pytest.mark.parametrize("wanted", [0.0, None, "huge"])
def test_metric_values_reach_zero_null_and_huge_values(wanted: object) -> None:
    if wanted == "huge":
        assert _reaches(nst.metric_values(), lambda v: v is not None and v > 1e300)
    else:
        assert _reaches(nst.metric_values(), lambda v: v == wanted and type(v) is type(wanted))


def test_metric_values_reject_a_range_that_is_not_one() -> None:
    for low, high in ((1.0, 0.0), (0.0, math.inf), (math.nan, 1.0)):
        with pytest.raises(ValueError, match="not a range"):
            nst.metric_values(low, high)


def _reaches(strategy: st.SearchStrategy[object], predicate: Callable[..., bool]) -> bool:
    """Whether drawing finds an example (generation only: no shrinking needed)."""
    try:
        find(
            strategy,
            predicate,
            settings=settings(
                max_examples=1_000,
                phases=[Phase.generate],
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    except NoSuchExample:
        return False
    return True
