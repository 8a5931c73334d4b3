"""A query's result as an aligned table, CSV or JSON (an array of objects)."""

from __future__ import annotations

import csv
import datetime as dt
import math
from typing import Any, Literal, TextIO

import orjson
import pyarrow as pa

OutputFormat = Literal["table", "csv", "json"]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return f"{value:.4f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)


def _numeric(field: pa.Field) -> bool:
    kind = field.type
    return bool(
        pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)
    )


def write_table(result: pa.Table, out: TextIO) -> None:
    """Columns padded to their widest cell, numbers right-aligned, a rule under the header."""
    rows = [[_cell(v) for v in row.values()] for row in result.to_pylist()]
    names = result.column_names
    widths = [max([len(name)] + [len(row[i]) for row in rows]) for i, name in enumerate(names)]
    right = [_numeric(field) for field in result.schema]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if align else cell.ljust(width)
            for cell, width, align in zip(cells, widths, right, strict=True)
        ).rstrip()

    out.write(line(list(names)) + "\n")
    out.write("  ".join("-" * width for width in widths) + "\n")
    for row in rows:
        out.write(line(row) + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")


def write_csv(result: pa.Table, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.column_names)
    for row in result.to_pylist():
        writer.writerow([_cell(v) for v in row.values()])


def write_json(result: pa.Table, out: TextIO) -> None:
    out.write(
        orjson.dumps(
            result.to_pylist(), default=str, option=orjson.OPT_INDENT_2 | orjson.OPT_NAIVE_UTC
        ).decode()
        + "\n"
    )


def write(result: pa.Table, output_format: OutputFormat, out: TextIO) -> None:
    {"table": write_table, "csv": write_csv, "json": write_json}[output_format](result, out)
