"""The metric mapping file: entries, defaults, loading, caching, leniency."""

from __future__ import annotations

import logging
import os
import pickle
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nflex_metrics
from nflex_metrics import (
    MappingError,
    MetricMapping,
    ParsedEntry,
    VariableLookupError,
    compile,
    load_metric_mapping,
    metric_mapping_from_dict,
    parse_metric_mapping,
)
from nflex_metrics.expression import INTERPRETED_CALLS
from nflex_metrics.mapping import clear_cache
from nflex_metrics.strategies import trees, variables_for


def write(tmp_path: Path, text: str, name: str = "mapping.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- ParsedEntry ------------------------------------------------------------------------


def test_entry_defaults_are_empty_name_unit_specialisation_and_counter_false() -> None:
    mapping = parse_metric_mapping("bare: {}\n")
    entry = mapping["bare"]
    assert (entry.name(), entry.unit(), entry.counter(), entry.specialisation()) == (
        "",
        "",
        False,
        "",
    )
    assert entry.conversion is None and entry.expression is None


def test_entry_fields_are_read_from_the_file() -> None:
    mapping = parse_metric_mapping(
        textwrap.dedent(
            """
        cpu_usage:
          name: cpu-usage
          unit: "%"
          conversion_expr: value * 100
          counter: true
          specialisation: guest
        """
        )
    )
    entry = mapping["cpu_usage"]
    assert entry.name() == "cpu-usage"
    assert entry.unit() == "%"
    assert entry.counter() is True
    assert entry.specialisation() == "guest"
    assert entry.expression is not None and entry.expression.source == "value * 100"


def test_entries_keep_file_order() -> None:
    keys = ["zeta", "alpha", "mid", "beta", "aardvark"]
    text = "".join(f"{key}:\n  name: {key}\n" for key in keys)
    mapping = parse_metric_mapping(text)
    assert list(mapping) == keys
    assert isinstance(mapping, dict) and isinstance(mapping, MetricMapping)


def test_extra_keys_are_kept_and_readable() -> None:
    mapping = parse_metric_mapping(
        textwrap.dedent(
            """
        disk:
          name: disk
          description: Disk usage
          tags: [storage, "by volume"]
          thresholds: {warn: 80, crit: 95}
        """
        )
    )
    entry = mapping["disk"]
    assert entry.get("description") == "Disk usage"
    assert entry.get("missing") is None and entry.get("missing", 7) == 7
    assert list(entry.extra) == ["description", "tags", "thresholds"]
    assert entry.extra["tags"] == ("storage", "by volume")
    assert entry.extra["thresholds"]["crit"] == 95
    assert "name" not in entry.extra  # known fields have their methods


def test_extra_values_are_read_only_so_cached_entries_cannot_be_changed() -> None:
    entry = parse_metric_mapping("m:\n  tags: [a]\n  more: {k: [1]}\n")["m"]
    with pytest.raises(TypeError):
        entry.extra["new"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        entry.extra["more"]["k"] = 2
    with pytest.raises(AttributeError):
        entry.extra["tags"].append("b")
    with pytest.raises(AttributeError):
        entry._name = "changed"


def test_value_applies_the_conversion() -> None:
    entry = parse_metric_mapping("m:\n  conversion_expr: value * 10\n")["m"]
    assert entry.value(value=10) == 100.0


def test_convert_is_an_alias_of_value() -> None:
    entry = parse_metric_mapping("m:\n  conversion_expr: value / total\n")["m"]
    assert entry.convert(value=3, total=4) == entry.value(value=3, total=4) == 0.75
    bare = ParsedEntry("n", "u", False, "")
    marker = object()
    assert bare.convert(value=marker) is marker


def test_no_conversion_passes_the_raw_value_through_uncoerced() -> None:
    entry = ParsedEntry("n", "", False, "")
    for raw in ("10", 10, None, [1, 2], {"a": 1}):
        assert entry.value(value=raw) is raw
    assert entry.value(value="10", other=1) == "10"


def test_no_conversion_without_value_raises_variable_lookup_error() -> None:
    entry = ParsedEntry("n", "", False, "")
    with pytest.raises(VariableLookupError) as info:
        entry.value(total=1)
    assert info.value.name == "value"
    assert isinstance(info.value, KeyError)


def test_missing_variable_of_a_conversion_raises_variable_lookup_error() -> None:
    entry = parse_metric_mapping("m:\n  conversion_expr: value / total\n")["m"]
    with pytest.raises(VariableLookupError) as info:
        entry.value(value=1)
    assert info.value.name == "total"


def test_variable_lookup_error_is_the_package_class() -> None:
    from nflex_metrics import errors

    assert VariableLookupError is nflex_metrics.VariableLookupError is errors.VariableLookupError


def test_conversion_may_be_any_object_with_evaluate_called_with_one_dict() -> None:
    calls: list[Any] = []

    class Recorder:
        def evaluate(self, variables: Any) -> int:
            calls.append(variables)
            return 7

    entry = ParsedEntry("n", "u", False, "", Recorder())
    assert entry.value(value=2, other=3) == 7
    assert calls == [{"value": 2, "other": 3}]
    assert entry.conversion is not None and entry.expression is None


def test_conversion_may_be_what_the_0_2_0_parser_classes_return() -> None:
    from nflex_metrics import SimpleExpressionParser

    conversion = SimpleExpressionParser().parse("value * 2 if value > 1 else value")
    entry = ParsedEntry("n", "u", False, "", conversion)
    assert entry.value(value=3) == 6.0 and entry.value(value=1) == 1.0


def test_entry_repr_shows_fields_and_expression_source() -> None:
    entry = parse_metric_mapping("m:\n  name: x\n  conversion_expr: value * 2\n")["m"]
    assert repr(entry) == (
        "ParsedEntry(name='x', unit='', counter=False, specialisation='', conversion='value * 2')"
    )


def test_entries_and_mappings_pickle() -> None:
    mapping = parse_metric_mapping(
        "m:\n  name: x\n  conversion_expr: value * 2\n  tags: [a, {b: 1}]\n", source="s.yaml"
    )
    copy = pickle.loads(pickle.dumps(mapping))
    assert copy == mapping and copy.source == "s.yaml" and isinstance(copy, MetricMapping)
    assert copy["m"].value(value=4) == 8.0
    assert copy["m"].extra["tags"][1]["b"] == 1


def test_value_and_convert_keep_their_behaviour_after_the_first_call() -> None:
    entry = parse_metric_mapping("m:\n  conversion_expr: value / total\n")["m"]
    for _ in range(INTERPRETED_CALLS):  # interpreted at first, then generated code
        assert entry.value(value=3, total=4) == entry.convert(value=3, total=4) == 0.75
        assert entry.value(value=None, total=4) is None
        assert entry.convert(value=1, total=0) == 0.0
        with pytest.raises(VariableLookupError) as info:
            entry.convert(value=1)
        assert info.value.name == "total"


def test_an_entry_that_has_converted_still_compares_pickles_and_refuses_changes() -> None:
    text = "m:\n  name: x\n  conversion_expr: value * 2\n  note: n\n"
    used, fresh = (
        parse_metric_mapping(text)["m"],
        metric_mapping_from_dict({"m": {"name": "x", "conversion_expr": "value * 2", "note": "n"}})[
            "m"
        ],
    )
    assert used.value(value=1) == 2.0
    assert used == fresh and hash(used) == hash(fresh) and repr(used) == repr(fresh)
    copy = pickle.loads(pickle.dumps(used))
    assert copy == used and copy.value(value=4) == 8.0
    with pytest.raises(AttributeError):
        used.value = lambda **kw: 0  # type: ignore[method-assign]
    with pytest.raises(AttributeError):
        del used.convert
    assert used.value(value=5) == 10.0


@given(st.sampled_from(["full", "simple"]).flatmap(lambda dialect: trees(dialect)), st.data())
def test_value_with_keyword_arguments_equals_the_interpreter(tree: Any, data: Any) -> None:
    from nflex_metrics.expression import Expression
    from nflex_metrics.interpreter import evaluate

    variables = data.draw(variables_for(tree, allow_missing=True, invalid=True))
    entry = ParsedEntry("n", "", False, "", Expression.from_tree(tree))
    for _ in range(INTERPRETED_CALLS + 2):  # interpreted at first, then generated code
        try:
            expected: Any = evaluate(tree, variables)
        except Exception as error:  # the class and message must agree
            with pytest.raises(type(error)) as info:
                entry.value(**variables)
            assert str(info.value) == str(error)
        else:
            got = entry.value(**variables)
            assert repr(got) == repr(expected)


# --- conversion_expr values -----------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "expected"),
    [("5", 5.0), ("-2", -2.0), ("0.25", 0.25), ("1.5e3", 1500.0), ("-.inf", float("-inf"))],
)
def test_number_conversion_expr_is_the_constant(literal: str, expected: float) -> None:
    entry = parse_metric_mapping(f"m:\n  conversion_expr: {literal}\n")["m"]
    assert entry.value(value=123) == expected
    assert entry.value() == expected  # a constant needs no variables


def test_null_conversion_expr_means_no_conversion() -> None:
    mapping = parse_metric_mapping("a:\n  conversion_expr: null\nb:\n  conversion_expr:\n")
    for key in "ab":
        assert mapping[key].conversion is None
        assert mapping[key].value(value="raw") == "raw"


def test_mapping_files_accept_the_full_language_with_case() -> None:
    mapping = parse_metric_mapping(
        textwrap.dedent(
            """
        disk_usage:
          conversion_expr: >
            CASE WHEN disk_avail = 0 THEN NULL
                 ELSE disk_used / disk_avail * 100 END
        """
        )
    )
    entry = mapping["disk_usage"]
    assert entry.value(disk_used=1, disk_avail=4) == 25.0
    assert entry.value(disk_used=1, disk_avail=0) is None


def test_expression_is_compiled_with_the_engine() -> None:
    entry = parse_metric_mapping("m:\n  conversion_expr: (end - start) / 1000\n")["m"]
    assert entry.expression is compile("(end - start) / 1000")


# --- convert_columns ------------------------------------------------------------------


def test_convert_columns_matches_value_row_by_row() -> None:
    entry = parse_metric_mapping("m:\n  conversion_expr: value * 100 if total > 0 else 0\n")["m"]
    columns: dict[str, list[float]] = {"value": [0.5, 0.25, 1.0], "total": [1, 0, 3]}
    expected = [entry.value(value=v, total=t) for v, t in zip(columns["value"], columns["total"])]
    assert entry.convert_columns(columns) == expected == [50.0, 0.0, 100.0]


def test_convert_columns_without_conversion_passes_values_through() -> None:
    entry = ParsedEntry("n", "", False, "")
    assert entry.convert_columns({"value": ("1", 2, None)}) == ["1", 2, None]
    with pytest.raises(VariableLookupError):
        entry.convert_columns({"total": [1]})


def test_convert_columns_with_a_foreign_conversion_goes_row_by_row() -> None:
    class Double:
        def evaluate(self, variables: Any) -> Any:
            return variables["value"] * 2

    entry = ParsedEntry("n", "", False, "", Double())
    assert entry.convert_columns({"value": [1, 2, 3]}) == [2, 4, 6]


# --- loading from files, strings and dicts ---------------------------------------------


def test_load_metric_mapping_reads_a_file_relative_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "m:\n  conversion_expr: value * 10\n")
    monkeypatch.chdir(tmp_path)
    mapping = load_metric_mapping()
    assert mapping["m"].value(value=10) == 100.0
    assert mapping.source == "mapping.yaml"


def test_parse_metric_mapping_accepts_text_and_bytes() -> None:
    text = "m:\n  unit: '°C'\n  conversion_expr: value - 273.15\n"
    from_text = parse_metric_mapping(text)
    from_bytes = parse_metric_mapping(text.encode("utf-8"))
    assert from_text == from_bytes
    assert from_text.source == "<string>"
    assert from_bytes["m"].unit() == "°C"


def test_metric_mapping_from_dict_follows_the_same_rules() -> None:
    data = {
        "cpu": {"name": "cpu", "unit": "%", "conversion_expr": "value * 100", "note": "x"},
        "raw": {},
        "const": {"conversion_expr": 3},
    }
    mapping = metric_mapping_from_dict(data)
    assert mapping.source == "<dict>"
    assert mapping["cpu"].value(value=0.5) == 50.0
    assert mapping["cpu"].get("note") == "x"
    assert mapping["raw"].value(value="r") == "r"
    assert mapping["const"].value() == 3.0
    import yaml

    assert mapping == parse_metric_mapping(yaml.safe_dump(data))


def test_metric_mapping_from_dict_reports_problems_with_expression_positions() -> None:
    with pytest.raises(MappingError) as info:
        metric_mapping_from_dict({"a": {"conversion_expr": "value * / 10"}, "b": "oops"})
    first, second = info.value.problems
    assert (first.file, first.line, first.column, first.key) == ("<dict>", 0, 0, "a")
    assert "line 1, column 9" in first.message
    assert first.snippet == "value * / 10\n        ^"
    assert (second.key, second.line) == ("b", 0)
    assert "the entry is str 'oops'" in second.message


def test_metric_mapping_from_dict_rejects_a_top_level_that_is_not_a_mapping() -> None:
    with pytest.raises(MappingError) as info:
        metric_mapping_from_dict(["a"], strict=False)
    assert "the top level is a list" in info.value.problems[0].message


# --- the load cache -------------------------------------------------------------------


def test_second_load_of_an_unchanged_file_reuses_the_compiled_entries(tmp_path: Path) -> None:
    clear_cache()
    path = write(tmp_path, "a:\n  conversion_expr: value * 2\nb:\n  name: b\n")
    first = load_metric_mapping(path)
    second = load_metric_mapping(str(path))
    assert second is not first  # each caller gets its own dict ...
    assert all(second[k] is first[k] for k in first)  # ... sharing the immutable entries
    second["c"] = second.pop("a")
    assert list(load_metric_mapping(path)) == ["a", "b"]


def test_a_modified_file_is_reloaded(tmp_path: Path) -> None:
    clear_cache()
    path = write(tmp_path, "a:\n  conversion_expr: value * 2\n")
    assert load_metric_mapping(path)["a"].value(value=1) == 2.0
    stat = path.stat()
    path.write_text("a:\n  conversion_expr: value * 3\n", encoding="utf-8")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_metric_mapping(path)["a"].value(value=1) == 3.0


def test_cached_problems_are_reported_again_on_every_load(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clear_cache()
    path = write(tmp_path, "a:\n  conversion_expr: value *\n")
    for _ in range(2):
        with pytest.raises(MappingError):
            load_metric_mapping(path)
    caplog.set_level(logging.WARNING)
    load_metric_mapping(path, strict=False)
    load_metric_mapping(path, strict=False)
    assert len([r for r in caplog.records if "conversion_expr" in r.getMessage()]) == 2
