"""Hostile mapping files: every one ends in a MappingError with file, line and column (or
loads), never in a bare exception, and loading stays bounded in time and depth."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from mapping_loaders import LOADERS, libyaml

from nflex_metrics import (
    MappingError,
    MappingProblem,
    load_metric_mapping,
    metric_mapping_from_dict,
    parse_metric_mapping,
)
from nflex_metrics.errors import caret_lines
from nflex_metrics.mapping import (
    EXPANSION_PER_CHARACTER,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MIN_EXPANSION,
    SNIPPET_WIDTH,
)
from nflex_metrics.testing import MappingTestError, load_mapping_tests

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=LOADERS)
def loader(request: pytest.FixtureRequest) -> Iterator[bool]:
    """Each test using it runs with libyaml and with PyYAML's Python loader."""
    with libyaml(request.param):
        yield request.param


def the_problem(text: str) -> MappingProblem:
    with pytest.raises(MappingError) as info:
        parse_metric_mapping(text)
    (problem,) = info.value.problems
    return problem


def position(text: str, needle: str) -> tuple[int, int]:
    index = text.index(needle)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


# --- nesting ----------------------------------------------------------------------------
# The top-level mapping is level 1, an entry level 2, a field's value level 3.


def nested_lists(levels: int) -> str:
    """An entry whose field holds lists nested down to ``levels`` (the innermost list's)."""
    inner = levels - 2
    return "a:\n  x: " + "[" * inner + "]" * inner + "\n"


def nested_blocks(levels: int) -> str:
    """The same with block mappings: each level one line, indented one more space."""
    return "".join(" " * i + f"k{i}:\n" for i in range(levels - 1)) + " " * levels + "v\n"


@pytest.mark.parametrize("nested", [nested_lists, nested_blocks])
def test_yaml_nested_to_the_limit_loads(loader: bool, nested: object) -> None:
    parse_metric_mapping(nested(MAX_DEPTH))  # type: ignore[operator]


# PyYAML recursed past ~490 levels; libyaml refuses more than 1,000 in words of its own.
@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 600, 1_100])
def test_yaml_nested_past_the_limit_is_one_problem_at_the_first_node_too_deep(
    loader: bool, levels: int
) -> None:
    text = nested_lists(levels)
    problem = the_problem(text)
    assert (problem.line, problem.column, problem.key) == (2, 6 + MAX_DEPTH - 2, "a")
    assert problem.message == f"the YAML is nested more than {MAX_DEPTH} levels deep"


@pytest.mark.parametrize("levels", [400, 1_500])
def test_deep_block_nesting_is_refused_like_flow_nesting(loader: bool, levels: int) -> None:
    problem = the_problem(nested_blocks(levels))
    assert (problem.line, problem.column) == (MAX_DEPTH, MAX_DEPTH)  # the key k99
    assert problem.message == f"the YAML is nested more than {MAX_DEPTH} levels deep"


@pytest.mark.parametrize(("opening", "closing"), [("{<<: ", "}"), ("{<<: [", "]}")])
def test_yaml_nested_too_deep_in_merge_keys_is_refused_alike_by_both_composers(
    opening: str, closing: str
) -> None:
    text = "a:\n  x: " + opening * 150 + "{k: 1}" + closing * 150 + "\n"
    problems = []
    for enabled in (True, False):
        with libyaml(enabled):
            problems.append(the_problem(text))
    assert problems[0] == problems[1]
    assert problems[0].message == f"the YAML is nested more than {MAX_DEPTH} levels deep"


def test_a_value_that_aliases_make_too_deep_is_a_problem_at_its_field(loader: bool) -> None:
    # Each list nests 40 levels; each holds the one before, so z reaches past the limit.
    body = "[" * 40 + "{}" + "]" * 40
    text = (
        f"a:\n  x: &x {body}\n  y: &y {body.replace('{}', '*x')}\n  z: {body.replace('{}', '*y')}\n"
    )
    problem = the_problem(text)
    assert (problem.line, problem.column, problem.key) == (4, 6, "a")
    assert (
        problem.message
        == f"z: the value is nested more than {MAX_DEPTH} levels deep (through aliases)"
    )


def test_a_long_chain_of_merge_keys_is_a_problem(loader: bool) -> None:
    # The chain is defined in an entry that is a list (a problem of its own), which the
    # loader does not walk: resolving the last merge follows the whole chain.
    chain = ", ".join(["&m0 {k0: 0}", *(f"&m{i} {{<<: *m{i - 1}}}" for i in range(1, 150))])
    text = f"defs: [{chain}]\nlast: {{<<: *m149}}\n"
    with pytest.raises(MappingError) as info:
        parse_metric_mapping(text)
    (problem,) = [p for p in info.value.problems if p.key == "last"]
    assert problem.message == f"merge keys (<<) are nested more than {MAX_DEPTH} levels deep"


@pytest.mark.parametrize(
    "text",
    [
        "cpu: &a {name: x, sub: {<<: *a}}\n",
        "cpu:\n  x: &l [1, *l]\n",
        "cpu:\n  x: &m {k: [*m]}\n",
    ],
)
def test_a_value_that_contains_itself_is_a_problem_at_its_field(loader: bool, text: str) -> None:
    problem = the_problem(text)
    assert problem.key == "cpu" and "contains itself" in problem.message


def nested_list_data(lists: int) -> list[object]:
    value: list[object] = []
    for _ in range(lists - 1):
        value = [value]
    return value


def test_metric_mapping_from_dict_reports_a_value_that_contains_itself() -> None:
    looped: list[object] = [1]
    looped.append(looped)
    with pytest.raises(MappingError) as info:
        metric_mapping_from_dict({"m": {"unit": "u", "x": looped}})
    (problem,) = info.value.problems
    assert (problem.key, problem.message) == ("m", "x: the value contains itself")


def test_metric_mapping_from_dict_nests_values_as_deep_as_a_file() -> None:
    lists = MAX_DEPTH - 2  # the field's value is level 3, as in a file
    metric_mapping_from_dict({"m": {"x": nested_list_data(lists)}})
    for too_many in (lists + 1, 5_000):
        with pytest.raises(MappingError) as info:
            metric_mapping_from_dict({"m": {"x": nested_list_data(too_many)}})
        (problem,) = info.value.problems
        assert problem.message == f"x: the value is nested more than {MAX_DEPTH} levels deep"


def test_metric_mapping_from_dict_shares_a_value_the_data_shares() -> None:
    shared: list[object] = ["lol"] * 12
    for _ in range(11):  # 12**12 strings, were each reference copied
        shared = [shared] * 12
    mapping = metric_mapping_from_dict({"m": {"x": shared}, "n": {"y": shared}})
    x, y = mapping["m"].get("x"), mapping["n"].get("y")
    shared_by_entries, shared_inside = x is y, x[0] is x[11]  # (no repr of 12**12 values)
    assert shared_by_entries and shared_inside


# --- numbers and other scalars PyYAML cannot build --------------------------------------

BIG = "1" * 5_000


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (f"a:\n  name: <{BIG}\n", "a"),
        (f"a:\n  unit: <{BIG}\n", "a"),
        (f"a:\n  counter: <{BIG}\n", "a"),
        (f"a:\n  specialisation: <-{BIG}\n", "a"),
        (f"a:\n  conversion_expr: <{BIG}\n", "a"),
        (f"a:\n  description: <{BIG}\n", "a"),
        (f"a:\n  tags: [1, 2, <{BIG}]\n", "a"),
        (f"a:\n  limits: {{low: 1, high: <1_{BIG}}}\n", "a"),
        (f"a:\n  ? <{BIG}\n  : x\n", "a"),
        (f"? <{BIG}\n: {{unit: x}}\n", None),
    ],
)
def test_an_int_longer_than_python_reads_is_a_problem_at_its_digits(
    loader: bool, text: str, key: str | None
) -> None:
    start = text.index("<")  # marks where the int starts
    text = text.replace("<", "")
    problem = the_problem(text)
    line, column = position(text, text[start : start + 3])
    assert (problem.line, problem.column, problem.key) == (line, column, key)
    assert "an integer of 5,00" in problem.message and "longer than Python reads" in problem.message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!bool maybe", "cannot read 'maybe' as !!bool"),
        ("!!int ''", "cannot read '' as !!int"),
        ("!!float ''", "cannot read '' as !!float"),
        ("!!int 1.5", "cannot read '1.5' as !!int"),
        ("!!timestamp x", "cannot read 'x' as !!timestamp"),
        ("2001-02-30", "cannot read '2001-02-30' as !!timestamp: day is out of range"),
        ("!!omap [a]", "expected a mapping of length 1, but found scalar"),
        ("!!map [a]", "expected a mapping node, but found sequence"),
        ("!celsius 20", "could not determine a constructor for the tag '!celsius'"),
    ],
)
def test_a_scalar_pyyaml_cannot_build_is_a_problem_at_its_position(
    loader: bool, value: str, message: str
) -> None:
    text = f"a:\n  unit: x\n  field: {value}\n"
    problem = the_problem(text)
    assert (problem.line, problem.key) == (3, "a")
    assert problem.message.startswith(f"field: {message}")


@pytest.mark.parametrize("field", ["name", "unit", "specialisation", "counter", "conversion_expr"])
def test_metric_mapping_from_dict_reports_an_int_too_long_to_print(field: str) -> None:
    with pytest.raises(MappingError) as info:
        metric_mapping_from_dict({"m": {field: 10**5000}})
    (problem,) = info.value.problems
    assert problem.key == "m" and "an int of about 5,001 digits" in problem.message


def test_metric_mapping_from_dict_reports_a_metric_key_too_long_to_print() -> None:
    with pytest.raises(MappingError) as info:
        metric_mapping_from_dict({10**5000: {}})
    (problem,) = info.value.problems
    assert problem.key == "<an int of about 5,001 digits>"
    assert problem.message == "a metric key must be a string, got an int of about 5,001 digits"


def test_metric_mapping_from_dict_keeps_a_long_int_in_the_other_fields() -> None:
    entry = metric_mapping_from_dict({"m": {"big": 10**5000}})["m"]
    assert entry.get("big") == 10**5000
    assert "'big': <an int of about 5,001 digits>" in repr(entry)


# --- size: what a file stands for once aliases and merge keys are expanded ---------------


def alias_bomb(levels: int, width: int) -> str:
    """An entry whose fields each hold ``width`` aliases of the one before."""
    lines = ["bomb:", f"  l0: &l0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def budget(text: str) -> int:
    return max(MIN_EXPANSION, EXPANSION_PER_CHARACTER * len(text))


def expanded(value: object, memo: dict[int, int] | None = None) -> int:
    """How many values ``value`` stands for, every shared value counted where it is used:
    what ``repr`` or ``==`` walks. (Counted once per distinct object, so that it is quick.)"""
    memo = {} if memo is None else memo
    if id(value) not in memo:
        parts: list[object] = []
        if isinstance(value, dict):
            parts = [part for pair in value.items() for part in pair]
        elif isinstance(value, (list, tuple, set)):
            parts = list(value)
        memo[id(value)] = 1 + sum(expanded(part, memo) for part in parts)
    return memo[id(value)]


def first_field_past(text: str) -> tuple[str, str]:
    """The entry and field of ``yaml.safe_load``'s value of a mapping file at which the
    document, counted in order, stands for more values than the file's budget."""
    count, memo = 1, {}  # the top-level mapping
    for key, entry in yaml.safe_load(text).items():
        count += 2  # the key and the entry mapping
        for name, value in entry.items():
            count += 1 + expanded(value, memo)
            if count > budget(text):
                return key, name
    raise AssertionError("within the budget")


def past_the_budget(text: str) -> str:
    return (
        f"aliases and merge keys (<<) make this file stand for more than {budget(text):,} "
        f"values ({EXPANSION_PER_CHARACTER} per character of the file, "
        f"{MIN_EXPANSION:,} at least)"
    )


def test_an_alias_bomb_is_refused_at_the_list_whose_aliases_pass_the_budget(loader: bool) -> None:
    # 9 levels of 9 aliases stand for 9**9 strings in 500 bytes: loaded, its values were
    # shared, but repr, == or pickle of the entry walked all of them.
    text = alias_bomb(9, 9)
    problem = the_problem(text)
    assert problem.message == past_the_budget(text)
    _, field = first_field_past(text)
    assert (problem.line, problem.column, problem.key) == (*position(text, f"&{field} "), "bomb")


def test_an_entry_that_aliases_make_large_but_within_the_budget_loads_and_prints(
    loader: bool,
) -> None:
    text = alias_bomb(4, 16)  # 16**4 + 16**3 + 16**2 + 16 strings
    entry = parse_metric_mapping(text)["bomb"]
    assert expanded(dict(entry.extra)) <= budget(text)
    assert repr(entry).count("'lol'") == 16**4 + 16**3 + 16**2 + 16
    assert entry == pickle.loads(pickle.dumps(entry))


def test_entries_share_the_values_of_one_anchor() -> None:
    text = "a:\n  tags: &t [x, {k: [1, 2]}]\nb:\n  tags: *t\n"
    mapping = parse_metric_mapping(text)
    assert mapping["a"].get("tags") is mapping["b"].get("tags")
    assert mapping["b"].get("tags") == ("x", {"k": (1, 2)})


def test_entries_that_alias_one_value_count_it_each_time(loader: bool) -> None:
    # One list of 10,000 strings, aliased by 50 entries: 500,000 values for repr.
    big = "[" + ", ".join(["x"] * 10_000) + "]"
    text = f"a:\n  tags: &t {big}\n" + "".join(f"e{i}:\n  tags: *t\n" for i in range(50))
    problem = the_problem(text)
    key, field = first_field_past(text)
    line, _ = position(text, f"{key}:\n  {field}")
    assert (problem.line, problem.column, problem.key) == (line + 1, 3, key)  # its mapping
    assert problem.message == past_the_budget(text)


def test_merge_keys_that_copy_too_much_refuse_the_file_at_the_merge_key_past_the_budget(
    loader: bool,
) -> None:
    keys, entries = 1_000, 200
    base = "base: &b {" + ", ".join(f"k{i}: {i}" for i in range(keys)) + "}\n"
    text = base + "".join(f"e{i}: {{<<: *b}}\n" for i in range(entries))
    problem = the_problem(text)
    assert problem.message == past_the_budget(text)
    key, _ = first_field_past(text)
    line = text.count("\n", 0, text.index(f"\n{key}: {{<<")) + 2
    assert (problem.line, problem.column, problem.key) == (line, len(f"{key}: {{") + 1, key)


def test_merge_keys_within_the_budget_load() -> None:
    text = "base: &b {unit: u, k: 1}\n" + "".join(f"e{i}: {{<<: *b}}\n" for i in range(2_000))
    assert all(entry.unit() == "u" for entry in parse_metric_mapping(text).values())


def test_merge_keys_that_merge_their_own_mapping_again_and_again_are_refused(
    loader: bool,
) -> None:
    # Each merge key leading back into its mapping makes PyYAML merge that mapping's
    # pairs again: quadratically many copies here, exponentially many before PyYAML 6.0.3.
    own = ", ".join(f"k{i}: {i}" for i in range(500))
    text = "a: &a {" + own + ", <<: *a" * 90 + "}\n"
    problem = the_problem(text)
    assert problem.message == past_the_budget(text)
    assert (problem.line, problem.key) == (1, "a")


def test_many_problems_on_one_long_line_show_a_window_of_it(loader: bool) -> None:
    # One line of 4,000 entries with a bad counter each: showing the whole line under each
    # problem made a report of 0.5 GB for an 83 KB file.
    text = "{" + ", ".join(f"k{i}: {{counter: 1}}" for i in range(4_000)) + "}\n"
    with pytest.raises(MappingError) as info:
        parse_metric_mapping(text)
    problems = info.value.problems
    assert len(problems) == 4_000
    for problem in problems[::500]:
        shown, caret = problem.snippet.split("\n")
        assert len(shown) <= SNIPPET_WIDTH + 6  # and "..." at either end
        assert shown[len(caret) - 1] == text[problem.column - 1] == "1"
    assert len(str(info.value)) < 100 * len(text)


# --- what is not a mapping file ------------------------------------------------------------


def the_load_problem(path: Path | str) -> MappingProblem:
    with pytest.raises(MappingError) as info:
        load_metric_mapping(path, strict=False)  # refused whatever the mode
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.column) == (str(path), 0, 0)
    return problem


def test_a_directory_is_refused_unread(tmp_path: Path) -> None:
    problem = the_load_problem(tmp_path)
    assert problem.message == "cannot read the mapping file: it is a directory"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_dev_zero_is_refused_unread() -> None:
    problem = the_load_problem("/dev/zero")
    assert problem.message == "cannot read the mapping file: it is not a regular file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    os.mkfifo(path)
    problem = the_load_problem(path)
    assert problem.message == "cannot read the mapping file: it is not a regular file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_test_file_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    # The test files of `nflex-metrics test` are read by the same guarded reader.
    path = tmp_path / "tests.yaml"
    os.mkfifo(path)
    refused: list[MappingProblem] = []

    def load() -> None:
        with pytest.raises(MappingTestError) as info:
            load_mapping_tests(path)
        refused.extend(info.value.problems)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():
        with open(path, "wb"):  # be the writer it waits for, so that the thread ends
            pass
        thread.join()
        pytest.fail("opening a FIFO waited for a writer")
    assert [problem.message for problem in refused] == [
        "cannot read the test file: it is not a regular file"
    ]


def test_a_file_larger_than_max_file_bytes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    with path.open("wb") as handle:
        handle.write(b"a: {unit: u}\n")
        handle.truncate(MAX_FILE_BYTES + 1)  # (sparse: no disk space used)
    problem = the_load_problem(path)
    assert problem.message == "cannot read the mapping file: it is larger than 16 MiB"
    path.write_bytes(b"a: {unit: u}\n" + b" " * (MAX_FILE_BYTES - 13))
    assert load_metric_mapping(path)["a"].unit() == "u"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_check_refuses_dev_zero_at_once() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "nflex_metrics", "check", "/dev/zero"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1
    assert "/dev/zero: cannot read the mapping file: it is not a regular file" in out.stdout


# --- tags the safe schema does not know ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needle", "key", "message"),
    [
        (
            "cpu: !!python/object:os.system {name: x}\n",
            "!!python",
            "cpu",
            "the entry is a mapping tagged !!python/object:os.system; expected a mapping",
        ),
        (
            "--- !!python/object:os.system\ncpu: {name: x}\n",
            "!!python",
            None,
            "the top level is a mapping tagged !!python/object:os.system; expected a mapping",
        ),
        ("cpu: !!set {name, unit}\n", "!!set", "cpu", "the entry is a set; expected a mapping"),
        (
            "cpu:\n  name: x\n  run: !!python/name:os.system\n",
            "!!python",
            "cpu",
            "run: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/name:os.system'",
        ),
    ],
)
def test_a_tag_safe_load_refuses_is_a_problem_at_its_node(
    loader: bool, text: str, needle: str, key: str | None, message: str
) -> None:
    problem = the_problem(text)
    assert (problem.line, problem.column, problem.key) == (*position(text, needle), key)
    assert problem.message.startswith(message)


# --- the load cache -----------------------------------------------------------------------


def test_a_file_replaced_with_the_same_size_and_modification_time_is_read_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text("cpu:\n  unit: aa\n", encoding="utf-8")
    assert load_metric_mapping(path)["cpu"].unit() == "aa"
    stat = path.stat()
    new = tmp_path / "mapping.yaml.new"
    new.write_text("cpu:\n  unit: bb\n", encoding="utf-8")
    os.utime(new, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as cp -p, rsync -a, tar x
    os.replace(new, path)
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert load_metric_mapping(path)["cpu"].unit() == "bb"


# --- line breaks ----------------------------------------------------------------------------

BREAKS = ["\n", "\r\n", "\r", "\x85", "\u2028", "\u2029"]


def yaml_lines(text: str) -> list[str]:
    """The lines of a YAML text, split where YAML (and PyYAML's marks) break lines."""
    return (
        yaml.reader.Reader.NON_PRINTABLE.sub("", text.replace("\r\n", "\n"))
        .translate(str.maketrans(dict.fromkeys("\r\x85\u2028\u2029", "\n")))
        .split("\n")
    )


@pytest.mark.parametrize("eol", BREAKS)
@pytest.mark.parametrize(
    ("template", "needle"),
    [
        ("a:{n}  unit: x{n}  conversion_expr: value * / 2{n}", "/"),
        ("a:{n}  conversion_expr: |{n}    value *{n}    / 2{n}", "/"),
        ("a:{n}  conversion_expr: value *{n}    / 2{n}", "/"),
        ("a:{n}  unit: 5{n}", "5"),
        ("a:{n}  unit: x{n}b: [{n}", None),
    ],
)
def test_the_caret_line_and_the_position_agree_whatever_the_line_breaks(
    loader: bool, eol: str, template: str, needle: str | None
) -> None:
    text = template.format(n=eol)
    problem = the_problem(text)
    line = yaml_lines(text)[problem.line - 1]
    shown, caret = problem.snippet.split("\n")
    assert shown == line.rstrip()
    assert caret == " " * (problem.column - 1) + "^"
    if needle is not None:
        # The expression language takes \u2028 and \u2029 (kept in the scalar's value)
        # for what they are, characters it does not know: the problem is the break.
        at = line[problem.column - 1] if problem.column <= len(line) else eol
        assert at == needle or (at == eol and "unexpected character" in problem.message)


@pytest.mark.parametrize("eol", ["\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028"])
def test_caret_lines_count_lines_at_line_feeds_only(eol: str) -> None:
    source = f"value *{eol}/ 2\nnext"
    assert caret_lines(source, 1, 9, "here") == "value * / 2\n        ^ here"
    assert caret_lines(source, 2, 1, "here") == "next\n^ here"


def test_an_expression_problem_from_a_dict_shows_the_line_its_position_counts() -> None:
    with pytest.raises(MappingError) as info:
        metric_mapping_from_dict({"m": {"conversion_expr": "value *\r/ 2\n  + 1"}})
    (problem,) = info.value.problems
    assert "(expression line 1, column 9)" in problem.message
    assert problem.snippet == "value * / 2\n        ^"


# --- nflex-metrics check on nasty files -----------------------------------------------------

NASTY = {
    "deep.yaml": nested_lists(5_000),
    "bomb.yaml": alias_bomb(9, 9),
    "self-merge.yaml": "cpu: &a {name: x, <<: *a}\nmem: &b {<<: [*b, *a], x: [*b]}\n",
    "big-int.yaml": f"a:\n  unit: {BIG}\n  counter: !!bool maybe\n",
    "breaks.yaml": "a:\r  conversion_expr: value *\u2028 / 2\x85b: 10\n",
}


@pytest.mark.parametrize("name", sorted(NASTY))
def test_check_reports_a_nasty_file_without_a_traceback(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(NASTY[name], encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "nflex_metrics", "check", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in out.stderr + out.stdout
    assert out.returncode in (0, 1), out.stderr
    assert str(path) in out.stdout
