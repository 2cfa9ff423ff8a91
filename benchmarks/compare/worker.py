"""Benchmark worker: runs inside one throwaway venv and times one library there.

The driver (``benchmarks.compare``) starts one worker per side and talks to it in JSON
lines: one request object per line on stdin, one answer per line on stdout. The worker
only uses the standard library and imports nothing from this repository (the 0.2.0 venvs
must see the *installed* ``nflex_connector_utils``, never the one in the working tree), so
every workload arrives in the request.

Requests (``op``): ``setup`` (choose the adapter; ours also gets the repository root for
``sys.path``), ``parse``, ``first_value``, ``evaluate``, ``versus_hand``, ``convert``,
``quit``. A timed answer is ``{"ok": true, "seconds": <per operation>, "n": <operations
timed>, ...}``; a failure is ``{"ok": false, "error": "..."}`` and the worker keeps
serving.

``versus_hand`` (our side only) times one of our calls against the same formula
written by hand in Python, alternating, and also answers ``reference_seconds``. Its
references come from ``benchmarks/workloads.py``, which our side can import because
the repository root is on its ``sys.path``.
"""

from __future__ import annotations

import gc
import importlib
import io
import itertools
import json
import math
import re
import statistics
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Callable, Optional

#: A literal number in an expression, not part of a name (``variable1``) or another number.
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d*)?(?![\w.])")

#: Width of the counter appended to a constant to make a text new to every cache.
_VARIANT_DIGITS = 10

_variant_counter = itertools.count(1)


def variant(text: str, k: int) -> str:
    """Return ``text`` with its last numeric constant given ``k`` as extra fraction digits.

    Every parse must see a text no cache has seen. Changing a constant (not whitespace,
    which a cache could normalise away) gives a new text whose length and token count do
    not depend on ``k``, so every variant costs the same to parse:

    >>> variant("value * 10", 7)
    'value * 10.0000000007'
    >>> variant("a if b > 0.5 else c1", 12)
    'a if b > 0.50000000012 else c1'
    """
    matches = list(_NUMBER.finditer(text))
    if not matches:
        raise ValueError(f"no numeric constant to vary in {text!r}")
    m = matches[-1]
    literal = m.group(0) if "." in m.group(0) else m.group(0) + "."
    return f"{text[: m.start()]}{literal}{k:0{_VARIANT_DIGITS}d}{text[m.end() :]}"


def fresh_variants(text: str, n: int) -> list[str]:
    """``n`` variants of ``text`` that this process has never produced before."""
    return [variant(text, next(_variant_counter)) for _ in range(n)]


def _same_number(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return False
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


class Adapter:
    """How one library parses, evaluates and converts; subclasses fill the hooks."""

    name = "base"

    def versions(self) -> dict[str, str]:
        """Versions of the libraries this side runs, for the report."""
        return {}

    def parse_function(self, text: str, python_text: Optional[str]) -> Callable[[str], Any]:
        """A function that parses one (new) text of this workload."""
        raise NotImplementedError

    def source_for(self, text: str, python_text: Optional[str]) -> str:
        """The text this library is given for a workload (Python syntax for simpleeval)."""
        return text

    def check_parse(self, text: str, python_text: Optional[str], row: Mapping[str, float]) -> Any:
        """Parse the workload once and evaluate what the parse produced (not timed)."""
        raise NotImplementedError

    def first_value_function(
        self, text: str, python_text: Optional[str], row: Mapping[str, float], new_shape: bool
    ) -> Callable[[str], Any]:
        """A function taking a new text to its first value: parse (and compile) + evaluate.

        ``new_shape``: also empty any cache of generated code, so that nothing learnt from
        an expression of the same shape (other constants) can be reused.
        """
        raise NotImplementedError

    def evaluator(
        self, text: str, python_text: Optional[str], row: Mapping[str, float]
    ) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, str]]:
        """``(f, args, info)``: calling ``f(*args)`` evaluates the parsed text on ``row``."""
        raise NotImplementedError

    def versus_hand(
        self, label: str, text: str, form: str, row: Mapping[str, float]
    ) -> tuple[Callable[..., Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
        """``(ours, by_hand, args, kwargs)``: both are timed as ``f(*args, **kwargs)``.

        ``form`` is ``evaluate`` (``expr.evaluate(row)`` against the ``float()``-reading
        formula) or ``keywords`` (``entry.value(**variables)`` with five keyword
        arguments against the same formula taking keyword arguments).
        """
        raise NotImplementedError(f"{self.name} has no hand-written references")

    def load_mapping(self, path: str) -> Mapping[str, Any]:
        raise NotImplementedError(f"{self.name} has no mapping loader")

    def converter(
        self, entry: Any, samples: list[float], mode: str
    ) -> Callable[[], Sequence[Optional[float]]]:
        raise NotImplementedError(f"{self.name} has no conversion")


def _make_hot(call: Callable[[], Any]) -> None:
    """Call until our expression runs generated code: a new expression is interpreted
    for its first ``INTERPRETED_CALLS`` evaluations (steady state is what is timed)."""
    from nflex_metrics import expression

    for _ in range(getattr(expression, "INTERPRETED_CALLS", 0) + 2):
        call()


def _version(dist: str) -> str:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:  # not installed as a distribution (our working tree)
        return "?"


class Ours(Adapter):
    """Our package, imported from the working tree."""

    name = "ours"

    def __init__(self) -> None:
        import nflex_metrics
        from nflex_metrics import expression, syntax

        self._pkg = nflex_metrics
        self._parse = syntax.parse
        self._compile = expression.compile

    def versions(self) -> dict[str, str]:
        out = {"nflex_metrics": f"{self._pkg.__version__} (working tree)"}
        try:
            import lark

            out["lark"] = str(lark.__version__)
        except ImportError:
            pass
        return out

    def parse_function(self, text: str, python_text: Optional[str]) -> Callable[[str], Any]:
        return self._parse

    def check_parse(self, text: str, python_text: Optional[str], row: Mapping[str, float]) -> Any:
        from nflex_metrics.interpreter import evaluate

        return evaluate(self._parse(text), row)

    def first_value_function(
        self, text: str, python_text: Optional[str], row: Mapping[str, float], new_shape: bool
    ) -> Callable[[str], Any]:
        compile_ = self._compile
        if not new_shape:
            return lambda source: compile_(source).evaluate(row)
        # Nothing learnt from an earlier expression: empty every cache first.
        from nflex_metrics.expression import clear_cache

        def first_value(source: str) -> Any:
            clear_cache(generated_code=True)
            return compile_(source).evaluate(row)

        return first_value

    def evaluator(
        self, text: str, python_text: Optional[str], row: Mapping[str, float]
    ) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, str]]:
        expr = self._compile(text)
        _make_hot(lambda: expr.evaluate(row))  # then .evaluate is the generated code
        return expr.evaluate, (row,), {"api": "compile(text).evaluate(row)"}

    def versus_hand(
        self, label: str, text: str, form: str, row: Mapping[str, float]
    ) -> tuple[Callable[..., Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
        from benchmarks.workloads import WORKLOADS, keyword_row
        from nflex_metrics.mapping import ParsedEntry

        workload = next(w for w in WORKLOADS if w.label == label)
        expr = self._compile(text)
        if form == "evaluate":
            _make_hot(lambda: expr.evaluate(row))  # then .evaluate is the generated code
            return expr.evaluate, workload.by_hand_float, (dict(row),), {}
        if form == "keywords":
            entry = ParsedEntry("metric", "", False, "", expr)
            keywords = keyword_row(workload)
            _make_hot(lambda: entry.value(**keywords))  # likewise for entry.value
            return entry.value, workload.by_hand_keywords, (), keywords
        raise ValueError(f"unknown form {form!r}")

    def load_mapping(self, path: str) -> Mapping[str, Any]:
        from nflex_metrics.mapping import load_metric_mapping

        return load_metric_mapping(path)

    def converter(
        self, entry: Any, samples: list[float], mode: str
    ) -> Callable[[], Sequence[Optional[float]]]:
        if mode == "per_sample":
            value = entry.value
            return lambda: [value(value=x) for x in samples]
        columns = {"value": samples}
        convert_columns = entry.convert_columns
        return lambda: convert_columns(columns)


class Nflex020(Adapter):
    """nflex-connector-utils 0.2.0 (on whichever pyparsing its venv has)."""

    name = "nflex020"

    def __init__(self) -> None:
        # 0.2.0's module, installed in this venv; untyped, hence Any.
        self._mod: Any = importlib.import_module("nflex_connector_utils.parser")
        self._parsers: dict[str, Any] = {}

    def versions(self) -> dict[str, str]:
        return {
            "nflex-connector-utils": _version("nflex-connector-utils"),
            "pyparsing": _version("pyparsing"),
        }

    def parser_class(self, text: str) -> str:
        """The narrowest 0.2.0 parser class whose language holds ``text`` (its best case)."""
        upper = text.upper()
        if "CASE" in upper:
            return "CaseExpressionParser"
        if " IF " in f" {upper} ":
            return "TernaryExpressionParser"
        return "ExpressionParser"

    def _parser(self, text: str) -> Any:
        cls = self.parser_class(text)
        if cls not in self._parsers:
            self._parsers[cls] = getattr(self._mod, cls)()
        return self._parsers[cls]

    def _checked_parse(self, text: str) -> Any:
        parsed = self._parser(text).parse(text)
        if parsed is None:
            raise RuntimeError(f"{self.parser_class(text)} could not parse {text!r}")
        return parsed

    def parse_function(self, text: str, python_text: Optional[str]) -> Callable[[str], Any]:
        return self._parser(text).parse  # type: ignore[no-any-return]

    def check_parse(self, text: str, python_text: Optional[str], row: Mapping[str, float]) -> Any:
        return self._checked_parse(text).evaluate(row)

    def first_value_function(
        self, text: str, python_text: Optional[str], row: Mapping[str, float], new_shape: bool
    ) -> Callable[[str], Any]:
        parse = self._parser(text).parse

        def first_value(source: str) -> Any:
            return parse(source).evaluate(row)

        return first_value

    def evaluator(
        self, text: str, python_text: Optional[str], row: Mapping[str, float]
    ) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, str]]:
        parsed = self._checked_parse(text)
        return parsed.evaluate, (row,), {"api": f"{self.parser_class(text)}().parse(text)"}

    def load_mapping(self, path: str) -> Mapping[str, Any]:
        return self._mod.load_metric_mapping(path)  # type: ignore[no-any-return]

    def converter(
        self, entry: Any, samples: list[float], mode: str
    ) -> Callable[[], Sequence[Optional[float]]]:
        value = entry.value
        return lambda: [value(value=x) for x in samples]


class SimpleEval(Adapter):
    """simpleeval, given the equivalent Python expression."""

    name = "simpleeval"

    def __init__(self) -> None:
        self._mod: Any = importlib.import_module("simpleeval")

    def versions(self) -> dict[str, str]:
        return {"simpleeval": _version("simpleeval")}

    def source_for(self, text: str, python_text: Optional[str]) -> str:
        if python_text is None:
            raise RuntimeError("no equivalent Python expression for simpleeval")
        return python_text

    def parse_function(self, text: str, python_text: Optional[str]) -> Callable[[str], Any]:
        return self._mod.SimpleEval().parse  # type: ignore[no-any-return]

    def check_parse(self, text: str, python_text: Optional[str], row: Mapping[str, float]) -> Any:
        return self._mod.SimpleEval(names=dict(row)).eval(self.source_for(text, python_text))

    def first_value_function(
        self, text: str, python_text: Optional[str], row: Mapping[str, float], new_shape: bool
    ) -> Callable[[str], Any]:
        self.source_for(text, python_text)
        return self._mod.SimpleEval(names=dict(row)).eval  # type: ignore[no-any-return]

    def evaluator(
        self, text: str, python_text: Optional[str], row: Mapping[str, float]
    ) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, str]]:
        source = self.source_for(text, python_text)
        evaluator = self._mod.SimpleEval(names=dict(row))
        tree = evaluator.parse(source)
        info = {"api": "SimpleEval(names=row).eval(text, previously_parsed=tree)"}
        return evaluator.eval, (source, tree), info


ADAPTERS: dict[str, Callable[[], Adapter]] = {
    "ours": Ours,
    "nflex020": Nflex020,
    "simpleeval": SimpleEval,
}


def _clock(f: Callable[..., Any], args: tuple[Any, ...], n: int) -> float:
    """Seconds for ``n`` calls of ``f(*args)``, after a full collection."""
    gc.collect()
    loop = itertools.repeat(None, n)
    start = time.perf_counter()
    for _ in loop:
        f(*args)
    return time.perf_counter() - start


def _clock_keywords(f: Callable[..., Any], kwargs: dict[str, Any], n: int) -> float:
    """Seconds for ``n`` calls of ``f(**kwargs)``, after a full collection."""
    gc.collect()
    loop = itertools.repeat(None, n)
    start = time.perf_counter()
    for _ in loop:
        f(**kwargs)
    return time.perf_counter() - start


def _clock_over(f: Callable[[str], Any], texts: list[str]) -> float:
    gc.collect()
    start = time.perf_counter()
    for text in texts:
        f(text)
    return time.perf_counter() - start


def calibrate(time_n: Callable[[int], float], target: float) -> int:
    """How many operations take about ``target`` seconds (at least one)."""
    n = 1
    while True:
        elapsed = time_n(n)
        if elapsed >= target / 5 or n >= 1 << 24:
            break
        n *= 2 if elapsed > target / 50 else 10
    return max(1, round(n * target / max(elapsed, 1e-9)))


class Worker:
    """One side's state: its adapter, calibrated counts, loaded mappings, samples."""

    def __init__(self) -> None:
        self.adapter: Optional[Adapter] = None
        self._counts: dict[tuple[str, str], int] = {}
        self._mappings: dict[str, Mapping[str, Any]] = {}
        self._samples: dict[int, list[float]] = {}

    def handle(self, request: Mapping[str, Any]) -> dict[str, Any]:
        op = request["op"]
        if op == "setup":
            for entry in request.get("sys_path", []):
                sys.path.insert(0, entry)
            self.adapter = ADAPTERS[request["adapter"]]()
            return {"versions": self.adapter.versions(), "python": sys.version.split()[0]}
        if self.adapter is None:
            raise RuntimeError("setup must come first")
        handler = getattr(self, f"op_{op}", None)
        if handler is None:
            raise ValueError(f"unknown op {op!r}")
        return handler(self.adapter, request)  # type: ignore[no-any-return]

    def _count(self, key: tuple[str, str], time_n: Callable[[int], float], target: float) -> int:
        if key not in self._counts:
            self._counts[key] = calibrate(time_n, target)
        return self._counts[key]

    def op_parse(self, adapter: Adapter, req: Mapping[str, Any]) -> dict[str, Any]:
        # A parse only counts if what it produced evaluates to the right value.
        got = adapter.check_parse(req["text"], req["python_text"], req["row"])
        if not _same_number(got, req["expected"]):
            raise RuntimeError(f"parsed, but evaluates to {got!r}, expected {req['expected']!r}")
        f = adapter.parse_function(req["text"], req["python_text"])
        return self._time_new_texts(adapter, req, f)

    def op_first_value(self, adapter: Adapter, req: Mapping[str, Any]) -> dict[str, Any]:
        new_shape = bool(req.get("new_shape"))
        f = adapter.first_value_function(req["text"], req["python_text"], req["row"], new_shape)
        source = adapter.source_for(req["text"], req["python_text"])
        got = f(source)
        if not _same_number(got, req["expected"]):
            raise RuntimeError(f"wrong value {got!r} for {source!r}, expected {req['expected']!r}")
        return self._time_new_texts(adapter, req, f)

    def _time_new_texts(
        self, adapter: Adapter, req: Mapping[str, Any], f: Callable[[str], Any]
    ) -> dict[str, Any]:
        source = adapter.source_for(req["text"], req["python_text"])

        def time_n(n: int) -> float:
            return _clock_over(f, fresh_variants(source, n))

        key = (req["op"] + ("/new_shape" if req.get("new_shape") else ""), req["label"])
        n = self._count(key, time_n, req["target"])
        return {"seconds": time_n(n) / n, "n": n, "example": variant(source, 0)}

    def op_evaluate(self, adapter: Adapter, req: Mapping[str, Any]) -> dict[str, Any]:
        f, args, info = adapter.evaluator(req["text"], req["python_text"], req["row"])
        got = f(*args)
        if not _same_number(got, req["expected"]):
            raise RuntimeError(f"wrong value {got!r}, expected {req['expected']!r}")
        n = self._count(("evaluate", req["label"]), lambda n: _clock(f, args, n), req["target"])
        return {"seconds": _clock(f, args, n) / n, "n": n, "value": got, **info}

    def op_versus_hand(self, adapter: Adapter, req: Mapping[str, Any]) -> dict[str, Any]:
        ours, by_hand, args, kwargs = adapter.versus_hand(
            req["label"], req["text"], req["form"], req["row"]
        )
        for f in (ours, by_hand):
            got = f(*args, **kwargs)
            if not _same_number(got, req["expected"]):
                raise RuntimeError(f"wrong value {got!r}, expected {req['expected']!r}")

        def clock(f: Callable[..., Any], n: int) -> float:
            return _clock_keywords(f, kwargs, n) if kwargs else _clock(f, args, n)

        # Many short timings, alternating which side goes first: a busy machine then
        # disturbs a few of them, and the medians keep out of the way.
        rounds = 20
        key = (f"versus_hand/{req['form']}", req["label"])
        n = self._count(key, lambda n: clock(ours, n), req["target"] / rounds)
        times: tuple[list[float], list[float]] = ([], [])
        for i in range(rounds):
            for side in (0, 1) if i % 2 == 0 else (1, 0):
                times[side].append(clock((ours, by_hand)[side], n) / n)
        return {
            "seconds": statistics.median(times[0]),
            "reference_seconds": statistics.median(times[1]),
            "n": n,
        }

    def op_convert(self, adapter: Adapter, req: Mapping[str, Any]) -> dict[str, Any]:
        path, size = req["mapping"], req["samples"]
        if path not in self._mappings:
            self._mappings[path] = adapter.load_mapping(path)
        if size not in self._samples:
            self._samples[size] = [float(i % 9973) * 1024.5 for i in range(size)]
        samples = self._samples[size]
        convert = adapter.converter(self._mappings[path][req["key"]], samples, req["mode"])
        gc.collect()
        start = time.perf_counter()
        out = convert()
        seconds = time.perf_counter() - start
        if len(out) != size:
            raise RuntimeError(f"{len(out)} results for {size} samples")
        total = math.fsum(v for v in out if v is not None)
        expected = req.get("expected_checksum")
        if expected is not None and not math.isclose(total, expected, rel_tol=1e-9):
            raise RuntimeError(f"results sum to {total!r}, expected {expected!r}")
        return {"seconds": seconds, "n": size, "checksum": total}


def serve(stdin: Iterator[str], stdout: io.TextIOBase) -> None:
    """Answer requests until ``quit`` or end of input."""
    worker = Worker()
    for line in stdin:
        request = json.loads(line)
        if request.get("op") == "quit":
            break
        try:
            answer: dict[str, Any] = {"ok": True, **worker.handle(request)}
        except Exception as exc:  # reported to the driver, which marks the cell
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        stdout.write(json.dumps(answer) + "\n")
        stdout.flush()


def main() -> None:
    # Anything a library prints must not corrupt the protocol: it goes to stderr.
    protocol = sys.stdout
    sys.stdout = sys.stderr
    serve(sys.stdin, protocol)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
