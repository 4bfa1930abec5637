"""An attacker who reads every figure published about one consultation and tries to single
someone out.

It is independent of `bot.results`: it never sees statuses or raw figures, only the words a
reader gets (the pack's text and chart caption, the CSV file, the chart's labels and the
members' message), turned into `Fact`s: "the sum of this column over these areas reads
<word>". It then asks, with whole-number programs (scipy's HiGHS, each "it is possible"
answer checked again exactly in integers, so rounding can only make it find more), what the
areas' own figures could be.

What a word tells it: a number is exact; "fewer than 5" is 1 to 4; "fewer than 10" (the
threshold) is 0 to 9; "hidden" is 0 or at least 5, the promise of the small-count rule, unless
the pack says every answer count is withheld, when it is anything. It also knows how results
are built: an area's answers are at most its number asked, each answer count at most its
number who answered, and with one answer each, the answer counts add up to those who
answered; the whole is the sum of its areas.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

INVITED, ANSWERED = "invited", "answered"
BOUND = 400  # no figure in the tests comes near this
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Fact:
    """One published figure: the sum of ``column`` (INVITED, ANSWERED or an answer's position)
    over the areas in ``group`` reads ``word``."""

    group: frozenset[str]
    column: str | int
    word: str


@dataclass(frozen=True)
class Words:
    """The words the pack uses, to read it back."""

    fewer_than_5: str
    fewer_than_threshold: str
    hidden: str
    everyone: str
    withheld: str
    other_areas: re.Pattern[str]  # "Other areas (A, B)" with the names in group 1


def plain(text_html: str) -> str:
    """What a person reads: tags gone, entities back to characters."""
    return html.unescape(_TAG.sub("", text_html))


# --- reading what was published ---------------------------------------------------------------


class Reader:
    """Turns published words into facts, for one consultation's options and areas."""

    def __init__(
        self,
        options: Sequence[str],
        area_ids: Iterable[str],
        names: Mapping[str, str],
        words: Words,
        threshold: int,
    ) -> None:
        self.options = list(options)
        self.everyone = frozenset(area_ids)
        self.ids_by_name = {name: area_id for area_id, name in names.items()}
        self.words = words
        self.threshold = threshold

    def group(self, label: str) -> frozenset[str]:
        """The areas a label stands for (a label the reader cannot place fails the test)."""
        if label == self.words.everyone:
            return self.everyone
        match = self.words.other_areas.fullmatch(label)
        if match:
            return frozenset(self.ids_by_name[name] for name in match.group(1).split(", "))
        return frozenset({self.ids_by_name[label]})

    def csv_facts(self, data: bytes) -> list[Fact]:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        header, body = rows[0], rows[1:]
        assert header[4:] == self.options, header
        facts = []
        for row in body:
            group = self.group(row[0])
            facts.append(Fact(group, INVITED, row[1]))
            facts.append(Fact(group, ANSWERED, row[2]))
            facts += [Fact(group, o, word) for o, word in enumerate(row[4:])]
            self._check_rate(row[3], row[2], row[1])
        return facts

    def summary_facts(self, text: str, group: frozenset[str] | None = None) -> list[Fact]:
        """Facts from "Asked: X. Answered: Y (Z%)" and the answer lines under it."""
        group = self.everyone if group is None else group
        facts = []
        head = re.search(r"^Asked: (.+?)\. Answered: (.+?)(?: \((\d+)%\))?\s*$", text, re.M)
        assert head, text
        facts.append(Fact(group, INVITED, head.group(1)))
        facts.append(Fact(group, ANSWERED, head.group(2)))
        self._check_rate(head.group(3) or "", head.group(2), head.group(1))
        facts += self.answer_facts(text[head.end() :].split("\n\n")[0], group, head.group(2))
        return facts

    def answer_facts(self, text: str, group: frozenset[str], answered: str | None) -> list[Fact]:
        """Facts from "• Yes: 12 (40%)" lines (a percentage only beside figures it can be
        worked out from)."""
        facts = []
        for line in text.splitlines():
            match = re.fullmatch(r"• (.+?): (.+?)(?: \((\d+)%\))?", line.strip())
            if not match:
                continue
            position = self.options.index(match.group(1))
            facts.append(Fact(group, position, match.group(2)))
            if match.group(3) is not None:
                assert answered is not None and answered.isdigit(), line
                assert match.group(2).isdigit(), line
                percent = round(100 * int(match.group(2)) / int(answered))
                assert int(match.group(3)) == percent, line
        return facts

    def full_text_facts(self, text_html: str) -> list[Fact]:
        """The pack's words: the whole, then each area's block."""
        text = plain(text_html)
        facts = self.summary_facts(text)
        for block in re.finditer(
            r"^(.+?): asked (.+?), answered (.+?)(?: \((\d+)%\))?\s*\n((?:• .*\n?)+)", text, re.M
        ):
            group = self.group(block.group(1))
            facts.append(Fact(group, INVITED, block.group(2)))
            facts.append(Fact(group, ANSWERED, block.group(3)))
            self._check_rate(block.group(4) or "", block.group(3), block.group(2))
            facts += self.answer_facts(block.group(5), group, None)
        return facts

    def member_facts(self, text_html: str, answered: str | None) -> list[Fact]:
        """The members' message: the whole's answer lines."""
        return self.answer_facts(plain(text_html), self.everyone, answered)

    def chart_facts(self, texts: Sequence[str]) -> list[Fact]:
        """The chart's words: each answer's label, then its number or word."""
        assert len(texts) == 2 * len(self.options), texts
        return [
            Fact(self.everyone, self.options.index(label), word)
            for label, word in zip(texts[::2], texts[1::2], strict=True)
        ]

    def _check_rate(self, rate: str, answered: str, invited: str) -> None:
        """A response rate only beside the two figures it is worked out from."""
        if rate:
            assert answered.isdigit() and invited.isdigit(), (rate, answered, invited)
            assert int(rate) == round(100 * int(answered) / int(invited))


# --- the whole-number programs -----------------------------------------------------------------


class Attacker:
    """What can be worked out about each area from the facts."""

    def __init__(
        self,
        area_ids: Sequence[str],
        options: int,
        multiple: bool,
        facts: Sequence[Fact],
        words: Words,
        threshold: int,
        withheld: bool,
    ) -> None:
        self.areas = list(area_ids)
        self.k = options
        self.multiple = multiple
        self.words = words
        self.threshold = threshold
        self.withheld = withheld
        self.columns: list[str | int] = [INVITED, ANSWERED, *range(options)]
        self.index = {
            (area, column): i
            for i, (area, column) in enumerate(
                (area, column) for area in self.areas for column in self.columns
            )
        }
        self.facts = sorted(set(facts), key=repr)
        self._check_agreement()
        self.hidden = [f for f in self.facts if self._range(f) is None]
        self.nvar = len(self.index) + len(self.hidden)

    def _check_agreement(self) -> None:
        """One figure never reads two ways in two places."""
        seen: dict[tuple[frozenset[str], str | int], str] = {}
        for fact in self.facts:
            key = (fact.group, fact.column)
            assert seen.setdefault(key, fact.word) == fact.word, (key, seen[key], fact.word)

    def _range(self, fact: Fact) -> tuple[int, int] | None:
        """The values a word allows as a range, or None for "hidden" (0 or at least 5)."""
        word = fact.word
        if word.isdigit():
            return int(word), int(word)
        if word == self.words.fewer_than_5:
            return 1, 4
        if word == self.words.fewer_than_threshold:
            return 0, self.threshold - 1
        if word == self.words.hidden:
            return (0, BOUND * len(fact.group)) if self.withheld else None
        raise AssertionError(f"a word the attacker cannot read: {word!r}")

    def _row(self, group: Iterable[str], column: str | int) -> np.ndarray:
        row = np.zeros(self.nvar)
        for area in group:
            row[self.index[(area, column)]] += 1
        return row

    def _base(self) -> tuple[list[np.ndarray], list[float], list[float]]:
        rows, lo, hi = [], [], []

        def add(row: np.ndarray, low: float, high: float) -> None:
            rows.append(row)
            lo.append(low)
            hi.append(high)

        for area in self.areas:
            add(self._row([area], ANSWERED) - self._row([area], INVITED), -np.inf, 0)
            for o in range(self.k):
                add(self._row([area], o) - self._row([area], ANSWERED), -np.inf, 0)
            if not self.multiple:
                total = sum((self._row([area], o) for o in range(self.k)), np.zeros(self.nvar))
                add(total - self._row([area], ANSWERED), 0, 0)
        for fact in self.facts:
            row = self._row(fact.group, fact.column)
            span = self._range(fact)
            if span is not None:
                add(row, *span)
        for j, fact in enumerate(self.hidden):  # sum == 0 or 5 <= sum, with a binary b
            b = len(self.index) + j
            row = self._row(fact.group, fact.column)
            row[b] = -5
            add(row, 0, np.inf)
            row = self._row(fact.group, fact.column)
            row[b] = -BOUND * len(fact.group)
            add(row, -np.inf, 0)
        return rows, lo, hi

    def possible(self, extra: Sequence[tuple[np.ndarray, float, float]] = ()) -> bool:
        """Is there a table of whole numbers that fits every fact and the extra conditions?
        Only a solution that passes the exact check counts."""
        rows, lo, hi = self._base()
        for row, low, high in extra:
            rows.append(row)
            lo.append(low)
            hi.append(high)
        lb = np.zeros(self.nvar)
        ub = np.full(self.nvar, float(BOUND))
        ub[len(self.index) :] = 1
        result = milp(
            np.zeros(self.nvar),
            integrality=np.ones(self.nvar),
            bounds=Bounds(lb, ub),
            constraints=LinearConstraint(np.array(rows), np.array(lo), np.array(hi)),
        )
        if result.x is None:
            return False
        x = np.rint(result.x).astype(int)
        return self._exact(x, extra)

    def _exact(self, x: np.ndarray, extra: Sequence[tuple[np.ndarray, float, float]]) -> bool:
        """Whole-number check of a solution: every area rule, every fact, every extra."""
        value = {key: int(x[i]) for key, i in self.index.items()}
        if any(v < 0 for v in value.values()):
            return False
        for area in self.areas:
            answered = value[(area, ANSWERED)]
            counts = [value[(area, o)] for o in range(self.k)]
            if answered > value[(area, INVITED)] or any(c > answered for c in counts):
                return False
            if not self.multiple and sum(counts) != answered:
                return False
        for fact in self.facts:
            total = sum(value[(area, fact.column)] for area in fact.group)
            span = self._range(fact)
            if span is None:
                if not (total == 0 or total >= 5):
                    return False
            elif not span[0] <= total <= span[1]:
                return False
        for row, low, high in extra:
            total = float(row[: len(self.index)] @ x[: len(self.index)])
            if not low <= total <= high:
                return False
        return True

    def pinned(self, group: Iterable[str], option: int, kind: str) -> bool:
        """Whether the attacker can tell, for this group with someone in it, that nobody
        (kind "none") or everybody (kind "all") chose this answer."""
        group = list(group)
        someone = (self._row(group, ANSWERED), 1, np.inf)
        if kind == "none":
            other = (self._row(group, option), 1, np.inf)
        else:
            other = (self._row(group, ANSWERED) - self._row(group, option), 1, np.inf)
        return not self.possible([someone, other])

    def values(self, fact: Fact, candidates: Iterable[int]) -> list[int]:
        """Which of these values the figure behind a fact could have."""
        row = self._row(fact.group, fact.column)
        return [v for v in candidates if self.possible([(row, v, v)])]
