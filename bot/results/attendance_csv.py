"""An attendance summary as a CSV file that opens cleanly in Excel (UTF-8 with BOM).

Same safety as the consultation results file (`csvfile.py`): every text cell is guarded
against spreadsheet formula injection, and a figure that is not shown reads as its status word.
No names and no Telegram ids ever reach it: it only gets labels and protected figures.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from bot.results.csvfile import safe_cell
from bot.results.suppression import SHOWN, Figure

Cell = str | int | Figure


def _cell(value: Cell, status_words: Mapping[str, str]) -> str | int:
    """A text (guarded), a whole number, or a figure (its value, else its status word)."""
    if isinstance(value, Figure):
        if value.status == SHOWN and value.value is not None:
            return value.value
        return safe_cell(status_words[value.status])
    if isinstance(value, int):
        return value
    return safe_cell(value)


def attendance_csv(
    facts: Sequence[tuple[str, Cell]],
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    status_words: Mapping[str, str],
) -> bytes:
    """Label and value lines first (the period, meetings held...), a blank line, then a table
    with a header row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for label, value in facts:
        writer.writerow([safe_cell(label), _cell(value, status_words)])
    writer.writerow([])
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([_cell(value, status_words) for value in row])
    return buffer.getvalue().encode("utf-8-sig")
