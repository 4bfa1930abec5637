"""Result CSV files: Excel-friendly, suppressed words in place, safe from formula injection."""

from __future__ import annotations

import csv
import io

from bot.results.csvfile import CsvHeaders, results_csv
from bot.results.suppression import FEWER_THAN_5, HIDDEN, AreaCounts, RawResults, suppress

WORDS = {FEWER_THAN_5: "fewer than 5", HIDDEN: "hidden"}
HEADERS = CsvHeaders(
    area="Area",
    everyone="Everyone",
    invited="Invited",
    answered="Answered",
    response_rate="Response rate (%)",
)


def _raw(options=("Yes", "No", "Not sure")) -> RawResults:
    rows = [(40, 30, [12, 10, 8]), (50, 24, [3, 12, 9]), (45, 33, [14, 11, 8])]
    areas = tuple(AreaCounts(f"r{i}", a, b, tuple(c)) for i, (a, b, c) in enumerate(rows))
    return RawResults(
        tuple(options),
        False,
        sum(a.invited for a in areas),
        sum(a.answered for a in areas),
        tuple(sum(a.counts[o] for a in areas) for o in range(3)),
        areas,
    )


def _parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _csv(raw: RawResults, names=None) -> bytes:
    names = {"r0": "North West", "r1": "North East"} if names is None else names
    return results_csv(suppress(raw), area_names=names, headers=HEADERS, status_words=WORDS)


def test_bom_header_and_rows() -> None:
    data = _csv(_raw())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _parse(data)
    assert rows[0] == ["Area", "Invited", "Answered", "Response rate (%)", "Yes", "No", "Not sure"]
    assert [r[0] for r in rows[1:]] == ["Everyone", "North West", "North East", "r2"]
    assert rows[1][1:4] == ["135", "87", str(round(100 * 87 / 135))]


def test_suppressed_words_in_place_and_no_small_numbers() -> None:
    raw = _raw()
    rows = _parse(_csv(raw))
    north_east = rows[3]
    assert north_east[4] == "fewer than 5"
    assert any(cell == "hidden" for row in rows[1:] for cell in row)
    true_rows = [[raw.invited, raw.answered, *raw.counts]]
    true_rows += [[a.invited, a.answered, *a.counts] for a in raw.areas]
    for row, truth in zip(rows[1:], true_rows, strict=True):
        cells = [row[1], row[2], *row[4:]]
        for cell, true in zip(cells, truth, strict=True):
            assert cell not in {"1", "2", "3", "4"}
            if cell not in WORDS.values():
                assert int(cell) == true


def test_response_rate_empty_when_not_shown() -> None:
    raw = RawResults(("Yes", "No"), False, invited=40, answered=3, counts=(2, 1))
    rows = _parse(_csv(raw, names={}))
    assert rows[1] == ["Everyone", "40", "fewer than 5", "", "fewer than 5", "fewer than 5"]


def test_formula_injection_guard() -> None:
    raw = _raw(options=('=HYPERLINK("http://x")', "+1", "@SUM(A1)"))
    names = {"r0": "-North", "r1": "\tTabbed", "r2": "\rReturn"}
    rows = _parse(_csv(raw, names=names))
    assert rows[0][4:] == ['\'=HYPERLINK("http://x")', "'+1", "'@SUM(A1)"]
    assert [r[0] for r in rows[2:]] == ["'-North", "'\tTabbed", "'\rReturn"]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_unicode_survives() -> None:
    rows = _parse(_csv(_raw(options=("Oui 👍", "Nön", "中文")), names={"r0": "Zoë's hub"}))
    assert rows[0][4:] == ["Oui 👍", "Nön", "中文"]
    assert rows[2][0] == "Zoë's hub"
