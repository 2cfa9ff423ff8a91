"""Generated ``mapping.yaml`` files for the cold-start and conversion workloads.

0.2.0's ``load_metric_mapping`` parses every ``conversion_expr`` with its
``SimpleExpressionParser``, which knows no CASE; so the generated files use only plain
arithmetic and Python ternaries, the language both loaders accept. Constants differ per
entry so that no loader can share work between entries, and about one entry in ten has
no conversion at all, as in real mapping files.
"""

from __future__ import annotations

from pathlib import Path

#: The ``conversion_expr`` shapes, filled with per-entry constants ``{k}`` and ``{j}``.
TEMPLATES: tuple[str, ...] = (
    "value * {k}",
    "value / 1024 / {k}",
    "(a + b) * {k} - c / {j}",
    "value * 100 if total > {j} else {k}",
    "value * 8 / 1000 / {k}",
    "(value - {j}) / {k} * 100",
    "value / (total + {k}) * 100",
    "value ^ 2 / {k}",
    "{k} - value * -1",
)

#: The metric the conversion workload converts (present in every generated file).
CONVERT_KEY = "bytes_in"
CONVERT_EXPR = "value / 1024 / 1024"


def mapping_yaml(entries: int) -> str:
    """The text of a mapping file with ``entries`` metrics (the first is ``CONVERT_KEY``)."""
    lines = [
        f"{CONVERT_KEY}:",
        "  name: bytes-in",
        '  unit: "MiB"',
        f"  conversion_expr: {CONVERT_EXPR}",
        "  counter: true",
        "  specialisation: ''",
    ]
    for i in range(1, entries):
        lines += [f"metric_{i:05d}:", f"  name: metric-{i}", '  unit: "%"']
        if i % 10 != 9:
            template = TEMPLATES[i % len(TEMPLATES)]
            expr = template.format(k=i % 97 + 2, j=i % 13 + 1)
            lines.append(f"  conversion_expr: {expr}")
        lines += [f"  counter: {'true' if i % 4 == 0 else 'false'}", "  specialisation: ''"]
    return "\n".join(lines) + "\n"


def write_mapping(directory: Path, entries: int) -> Path:
    """Write ``mapping-<entries>.yaml`` into ``directory`` and return its path."""
    path = directory / f"mapping-{entries}.yaml"
    path.write_text(mapping_yaml(entries), encoding="utf-8")
    return path
