"""Consultation results as a CSV file that opens cleanly in Excel (UTF-8 with BOM, wide format)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.results.suppression import SHOWN, Figure, SafeResults

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CsvHeaders:
    """The catalogue words for the CSV header row and the national row."""

    area: str
    everyone: str
    invited: str
    answered: str
    response_rate: str


def safe_cell(value: str) -> str:
    """A text cell made safe from spreadsheet formula injection."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _cell(figure: Figure, status_words: Mapping[str, str]) -> str | int:
    """A figure's value when shown, otherwise its status word."""
    if figure.status == SHOWN and figure.value is not None:
        return figure.value
    return safe_cell(status_words[figure.status])


def _row(
    label: str,
    figures: Sequence[Figure],
    rate: int | None,
    status_words: Mapping[str, str],
) -> list[str | int]:
    invited, answered, *counts = figures
    return [
        safe_cell(label),
        _cell(invited, status_words),
        _cell(answered, status_words),
        "" if rate is None else rate,
        *(_cell(c, status_words) for c in counts),
    ]


def results_csv(
    safe: SafeResults,
    *,
    area_names: Mapping[str, str],
    headers: CsvHeaders,
    status_words: Mapping[str, str],
) -> bytes:
    """The safe results as CSV bytes: a national row, then one row per area."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(
        [
            safe_cell(headers.area),
            safe_cell(headers.invited),
            safe_cell(headers.answered),
            safe_cell(headers.response_rate),
            *(safe_cell(option) for option in safe.options),
        ]
    )
    writer.writerow(
        _row(
            headers.everyone,
            [safe.invited, safe.answered, *safe.counts],
            safe.response_rate,
            status_words,
        )
    )
    for area in safe.areas:
        writer.writerow(
            _row(
                area_names.get(area.area_id, area.area_id),
                [area.invited, area.answered, *area.counts],
                area.response_rate,
                status_words,
            )
        )
    return buffer.getvalue().encode("utf-8-sig")
