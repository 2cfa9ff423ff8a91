"""The PyYAML-free fast path of the mapping loader (``_yaml.read_simple``) must never
change what a file means: whenever it accepts a text, the values are those of
``yaml.safe_load`` and the load's outcome (entries and problems) is that of the full
PyYAML path. Texts it is unsure about fall back to the full path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, note
from hypothesis import strategies as st

from benchmarks.compare.mappings import mapping_yaml
from nflex_metrics import _yaml, mapping
from nflex_metrics.mapping import load_metric_mapping

#: Keys and field names, including words YAML reads as booleans or null and
#: spellings the fast path must leave to PyYAML.
NAMES = [
    "cpu",
    "bytes_in",
    "disk.read-ops/s",
    "name",
    "unit",
    "counter",
    "specialisation",
    "conversion_expr",
    "description",
    "yes",
    "On",
    "NULL",
    "tRUE",
    "null_ish",
    "5xx",
    "<<",
    "~",
    "'quoted'",
    "two words",
    "a:b",
]

#: Field values: expressions, the YAML 1.1 spellings of other types close to plain words
#: and numbers (some the fast path reads, some it leaves to PyYAML), quoting, comments.
PLAIN_VALUES = [
    *("value * 100", "value * 100 if total > 5 else 3", "(a + b) * 2 - c / 3", "2 * value"),
    *("42 - value * -1", "value ^ 2 / 7", "_private", "(", "2 * (", "a ,b", "x y  z"),
    *("yes", "Yes", "YES", "yEs", "no", "NO", "true", "True", "TRUE", "tRUE", "false"),
    *("on", "On", "oN", "off", "OFF", "null", "Null", "nULL", "~", ""),
    *("0", "00", "010", "12", "-3", "+3", "1_000", "0x1F", "0b101", "0o17", "1:30", "190:20:30"),
    *("1.5", "1.", ".5", "1e3", "1.0e+3", "1.0e3", "12e3", "1.5e-3", ".inf", "-.inf", ".NaN"),
    *("2024-01-01", "2001-12-14 21:59:43.10 -5", "2001-12-14t21:59:43.10-05:00", "2 - 1"),
    *("'it''s'", "''", "'a' # c", "'a'# c", "'a' 'b'", "'unterminated", "' x '"),
    *('"%"', '"MiB"', '"a\\"b"', '"x" # c', '"\\u00b5s"', '"a" x', '"'),
    *("value # comment", "value #comment", "value#x", "value *# c", "value  ", "value\t"),
    *("µs", "°C", "x µ", "a\u00a0", "a\u3000b"),
]

#: What real mapping files hold.
TYPICAL_VALUES = [
    *("value * 100", "value * 100 if total > 5 else 3", "(a + b) * 2 - c / 3", "2 * value"),
    *("bytes-in", "yes", "no", "true", "False", "null", "~", "", "0", "12", "1.5"),
    *("'%'", "''", "'it''s'", '"MiB"', '""', "value # comment", "x  # c", "'a'  # c"),
]

#: Values that need real YAML (flow and block collections and scalars, anchors, tags,
#: indicators, other line breaks, ...): the fast path must leave all of them to PyYAML.
OTHER_VALUES = [
    *("a: b", "a:b", "[1, 2]", "{a: 1}", "- x", "-x", "|", ">", "|-", "&a x", "*a", "!x y"),
    *("!!str 12", "!!int '7'", "% x", "@x", "`x`", "? x", ": x", "=", "<<", "x\ty"),
    *("a\u2028b", "a\x85b", "\ufeffx", "a\x00", "a\x7f"),
]

_simple_name = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True)


def _mostly(usual: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> Any:
    """``usual`` seven times in eight: most generated texts should be in the fast path's
    layout, or the properties below would rarely see it accept anything."""
    return st.integers(0, 7).flatmap(lambda n: rare if n == 0 else usual)


_name = _mostly(_simple_name, st.sampled_from(NAMES))
_value = _mostly(
    st.sampled_from(PLAIN_VALUES),
    st.one_of(
        st.sampled_from(OTHER_VALUES),
        st.text(alphabet=" abyYesnNoOfFtTlu0123456789.:#'\"-+_()*/~^ex\t", max_size=12),
    ),
)


@st.composite
def mapping_texts(draw: st.DrawFn) -> str:
    """Texts shaped like mapping files, mostly in the fast path's layout, with mistakes;
    half of them only with names and values typical of real files."""
    typical = draw(st.booleans())
    name = _simple_name if typical else _name
    value = st.sampled_from(TYPICAL_VALUES) if typical else _value
    mostly = _mostly if not typical else lambda usual, rare: usual
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.integers(0, 9)) == 0 and not typical:
            lines.append(draw(st.sampled_from(["", "# note", "---", "  # indented", "   "])))
        key = draw(name)
        lines.append(draw(mostly(st.just(f"{key}:"), st.sampled_from([f"{key}: # c", f"{key}:x"]))))
        indent = draw(st.sampled_from([1, 2, 4]))
        for _ in range(draw(mostly(st.integers(1, 3), st.just(0)))):
            width = indent if typical or draw(st.integers(0, 30)) else draw(st.integers(0, 6))
            if draw(st.integers(0, 15)) == 0 and not typical:
                lines.append(draw(st.sampled_from(["", "  # c", "#", " " * width + "- x"])))
            field_value = draw(value)
            separator = draw(mostly(st.just(": "), st.sampled_from([":  ", ":"])))
            lines.append(f"{' ' * width}{draw(name)}{separator}{field_value}")
    end = draw(st.sampled_from(["\n", "", "\n\n", "\n# end\n"]))
    eol: str = draw(mostly(st.just("\n"), st.just("\r\n")))
    return eol.join(lines) + end


def as_dict(entries: list[_yaml.SimpleEntry]) -> dict[str, dict[str, Any]]:
    return dict(entries)


@given(mapping_texts())
@example("cpu:\n  unit: '%'\n  conversion_expr: value * 100 # percent\n  counter: yes\n")
@example("cpu:\n  unit: x\ncpu:\n  unit: y\n")
@example("cpu:\n  unit: x\n  unit: y\n")
@example("cpu:\n  conversion_expr: value *\n    100\n")
def test_an_accepted_text_has_the_values_safe_load_gives(text: str) -> None:
    simple = _yaml.read_simple(text)
    note(f"read_simple -> {simple!r}")
    if simple is None:
        return
    keys = [key for key, _ in simple]
    assert len(set(keys)) == len(keys)
    assert all(fields for _, fields in simple)
    assert as_dict(simple) == yaml.safe_load(text)


@pytest.mark.parametrize("value", [*TYPICAL_VALUES, *PLAIN_VALUES, *OTHER_VALUES])
def test_every_value_spelling_is_read_as_safe_load_reads_it_or_left_to_pyyaml(value: str) -> None:
    text = f"metric:\n  field: {value}\n"
    simple = _yaml.read_simple(text)
    if simple is not None:
        assert as_dict(simple) == yaml.safe_load(text)


@given(mapping_texts())
def test_the_fast_path_never_changes_a_loads_entries_or_problems(text: str) -> None:
    assert mapping._build_from_text(text, "m.yaml") == mapping._build_from_yaml(text, "m.yaml")


@pytest.mark.parametrize(
    "text",
    [
        "a:\n  unit: '%'\n",  # a quoted string
        "a:\n  counter: true\n  conversion_expr: 2 * value\n",
        "a:  # the first\n\n  name: x  # trailing comment\n# between\nb:\n    unit: ''\n",
        "a:\n  counter: 1\n",  # an int, then a problem: falls back and reports it
        "a:\r\n  unit: x\r\n",  # Windows line ends
    ],
)
def test_plain_layout_is_read_without_composing_a_yaml_tree(text: str) -> None:
    assert _yaml.read_simple(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "a:\n  unit: [x]\n",  # flow collection
        "a:\n  unit: &u x\nb:\n  unit: *u\n",  # anchors and aliases
        "a:\n  conversion_expr: |\n    value * 2\n",  # block scalar
        "a:\n  unit: x\n\tname: y\n",  # a tab
        "a:\r  unit: x\r",  # old Mac line ends
        "a:\n  unit: x\n   name: y\n",  # a second indentation
        "a:\nb:\n  unit: x\n",  # an entry without fields (a problem to report)
        "a: {unit: x}\n",  # an inline entry
        "yes:\n  unit: x\n",  # a key YAML reads as a boolean
        "---\na:\n  unit: x\n",  # a document marker
        "",
    ],
)
def test_other_yaml_is_left_to_pyyaml(text: str) -> None:
    assert _yaml.read_simple(text) is None


def test_the_generated_benchmark_file_takes_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(mapping_yaml(200), encoding="utf-8")
    expected = yaml.safe_load(path.read_text(encoding="utf-8"))

    def no_pyyaml(text: str, file: str) -> Any:
        raise AssertionError("the PyYAML path was taken")

    monkeypatch.setattr(mapping, "_build_from_yaml", no_pyyaml)
    loaded = load_metric_mapping(path)
    assert list(loaded) == list(expected)
    for key, fields in expected.items():
        entry = loaded[key]
        assert (entry.name(), entry.unit(), entry.counter()) == (
            fields["name"],
            fields["unit"],
            fields["counter"],
        )
        expression = entry.expression
        assert (expression and expression.source) == fields.get("conversion_expr")


def test_a_problem_found_on_the_fast_path_is_reported_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text("a:\n  unit: x\n  counter: 1\n", encoding="utf-8")
    from nflex_metrics import MappingError

    with pytest.raises(MappingError) as info:
        load_metric_mapping(path)
    (problem,) = info.value.problems
    assert (problem.line, problem.column, problem.key) == (3, 12, "a")
