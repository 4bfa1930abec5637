"""How series read: a repeat rule in words ("Every month on the first Monday at 10:00, open for
7 days."), the next round's day, and the trend part of a round's results pack (the words, and
a line chart per question once there are three rounds). Texts: config/texts/series.yaml."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.delivery.content import CAPTION_LIMIT, FileUpload, Media
from bot.results.suppression import FEWER_THAN_5
from bot.services.consultations import PackPart
from bot.services.series.chart import trend_chart_png
from bot.services.series.rules import LAST, MONTH, RepeatRule
from bot.services.series.trend import MEDIAN, Cell, Trend, TrendQuestion, TrendRow
from bot.texts import Markup, Texts
from bot.textsplit import split_text

WEEKS = {1: "first", 2: "second", 3: "third", 4: "fourth", LAST: "last"}
MAX_CHARTS = 10  # line charts in one pack at most (a long survey: its first ten questions)


def weekday_words(texts: Texts, weekday: int) -> str:
    """Monday .. Sunday, from the catalogue."""
    return texts.plain(f"series.weekday_{weekday}")


def rule_words(texts: Texts, rule: RepeatRule) -> str:
    """The rule in a sentence: "Every month on the first Monday at 10:00, open for 7 days." """
    return _rule_text(texts, rule, "series.rule_monthly", "series.rule_weekly")


def rule_label(texts: Texts, rule: RepeatRule) -> str:
    """The rule short enough for a button: "Monthly: first Monday, 10:00, 7 days"."""
    return _rule_text(texts, rule, "series.button_ready_monthly", "series.button_ready_weekly")


def _rule_text(texts: Texts, rule: RepeatRule, monthly: str, weekly: str) -> str:
    """The rule through catalogue text ``monthly`` or ``weekly`` (its weekday, time, days)."""
    values = {
        "weekday": weekday_words(texts, rule.weekday),
        "time": rule.clock_text,
        "days": rule.open_days,
    }
    if rule.every == MONTH:
        assert rule.week is not None
        week = texts.plain(f"series.week_{WEEKS[rule.week]}")
        return texts.plain(monthly, week=week, **values)
    return texts.plain(weekly, **values)


def day_words(moment: datetime, zone: ZoneInfo, now: datetime | None = None) -> str:
    """A day like "Monday 4 January" (with the year when it is not this year's)."""
    local = moment.astimezone(zone)
    words = f"{local:%A} {local.day} {local:%B}"
    if now is not None and now.astimezone(zone).year != local.year:
        words += f" {local.year}"
    return words


def short_day(moment: datetime, zone: ZoneInfo) -> str:
    """A round's day on a chart or in a list: "4 Jan"."""
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b}"


class SeriesMessageTexts:
    """The trend part of a round's pack, drawn from the text catalogue."""

    def __init__(self, texts: Texts, zone: ZoneInfo) -> None:
        self._texts = texts
        self._zone = zone

    def cell(self, cell: Cell, what: str) -> str:
        """One round's figure in words: "40%", a median "3.5", "fewer than 5" or "not shown"."""
        if cell.shown:
            assert cell.value is not None
            number = f"{cell.value:g}"
            return number if what == MEDIAN else self._texts.plain("series.percent", n=number)
        if cell.status == FEWER_THAN_5:
            return self._texts.plain("series.fewer_than_5")
        return self._texts.plain("series.not_shown")

    def row_label(self, question: TrendQuestion, row: TrendRow) -> str:
        """An answer's words; a scale value with its end's words; "median" for the median."""
        if row.what == MEDIAN:
            return self._texts.plain("series.median")
        if row.scale_value is not None:
            ends = {1: question.low_label, 5: question.high_label}
            if ends.get(row.scale_value):
                return self._texts.plain(
                    "series.scale_end", n=row.scale_value, text=ends[row.scale_value]
                )
            return str(row.scale_value)
        return row.label

    def text(self, trend: Trend) -> str:
        """The trend in words: the rounds, then per question a line per answer."""
        texts = self._texts
        rounds = ", ".join(
            texts.plain("series.round_name", n=r.number, day=short_day(r.opened, self._zone))
            for r in trend.rounds
        )
        blocks = []
        for question in trend.questions:
            one_question = len(trend.questions) == 1 and question.text == trend.title
            lines = [
                texts.get(
                    "series.trend_line",
                    answer=self.row_label(question, row),
                    figures=", ".join(self.cell(c, row.what) for c in row.cells),
                )
                for row in question.rows
            ]
            if one_question:  # a consultation: its question is the title already
                blocks.append("\n".join(lines))
                continue
            blocks.append(
                texts.get(
                    "series.trend_question", question=question.text, lines=Markup("\n".join(lines))
                )
            )
        return texts.get(
            "series.trend",
            title=trend.title,
            count=len(trend.rounds),
            rounds=rounds,
            questions=Markup("\n\n".join(blocks)),
        )

    def round_line(self, kind: str, rule: RepeatRule, number: int) -> str:
        """The line a round's invitation ends with: "This question repeats. Every month on the
        first Monday at 10:00, open for 7 days. This is round 3." (the rule as /series says
        it)."""
        return self._texts.get(
            f"series.round_line_{kind}", rule=rule_words(self._texts, rule), round=number
        )

    async def trend_parts(self, trend: Trend) -> list[PackPart]:
        """The words (split to fit), then a line chart per question with shares once there
        are enough rounds, drawn off the event loop."""
        if len(trend.rounds) < 2:  # nothing to compare yet: say when it will
            return [PackPart(self._texts.get("series.trend_first", title=trend.title))]
        parts = [PackPart(Markup(part)) for part in split_text(self.text(trend))]
        if not trend.charted:
            return parts
        labels = [f"{r.number}\n{short_day(r.opened, self._zone)}" for r in trend.rounds]
        charted = [q for q in trend.questions if q.shares][:MAX_CHARTS]
        for number, question in enumerate(charted, start=1):
            lines = [
                (self.row_label(question, row), [c.value if c.shown else None for c in row.cells])
                for row in question.shares
            ]
            png = await asyncio.to_thread(
                trend_chart_png,
                question.text,
                labels,
                lines,
                axis_label=self._texts.plain("series.chart_axis"),
            )
            caption = self._texts.get("series.chart_caption", question=question.text)
            if len(caption) > CAPTION_LIMIT - 24:
                caption = self._texts.get("series.chart_caption_short")
            upload = FileUpload(f"trend-{number}.png", png)
            parts.append(PackPart(caption, Media("photo", upload=upload)))
        return parts
