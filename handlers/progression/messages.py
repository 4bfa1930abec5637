"""How progression reads: the note a member gets for a contribution, and the report as text,
a chart image and a CSV file (all from the catalogue; figures come already protected)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.forum import Forum
from bot.results.attendance_csv import attendance_csv
from bot.results.chart import bar_chart_png
from bot.results.suppression import FEWER_THAN_5, FEWER_THAN_THRESHOLD, HIDDEN, SHOWN, Figure
from bot.services.progression import OTHER, ProgressionReport
from bot.services.progression.figures import NO_REGION, OpportunityLine
from bot.texts import Texts


def day_words(day: date) -> str:
    """Like '12 June 2026'."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class RenderedReport:
    """The report as text (HTML), a chart (PNG) and a CSV file, with their file names."""

    text: str
    chart: bytes
    csv: bytes
    chart_name: str
    csv_name: str


class ProgressionMessages:
    """The catalogue's words for contributions and the progression report."""

    def __init__(self, texts: Texts, zone: ZoneInfo, forum: Forum) -> None:
        self._texts = texts
        self._zone = zone
        self._forum = forum

    # Contributions

    def kind(self, kind: str) -> str:
        """A kind of contribution in words."""
        return self._texts.plain(f"progression.kind_{kind}")

    def noted(self, coordinator: str, kind: str, detail: str, day: date) -> str:
        """The kind note a member gets (HTML; the words typed are escaped)."""
        name = coordinator.strip() or self._texts.plain("progression.coordinator_fallback")
        return self._texts.get(
            "progression.noted", coordinator=name, detail=detail, day=day_words(day)
        )

    # The report

    def status_words(self, threshold: int) -> dict[str, str]:
        """The words for a figure not shown (the chart and the CSV file use them too)."""
        plain = self._texts.plain
        return {
            FEWER_THAN_5: plain("progression.fewer_than_5"),
            FEWER_THAN_THRESHOLD: plain("progression.fewer_than_threshold", threshold=threshold),
            HIDDEN: plain("progression.hidden"),
        }

    def figure(self, figure: Figure, threshold: int) -> str:
        """A protected figure in words: its value, or why it is not shown."""
        if figure.status == SHOWN and figure.value is not None:
            return f"{figure.value:,}"
        return self.status_words(threshold)[figure.status]

    def _kind_name(self, key: str) -> str:
        """An opportunity kind's name (from the opportunities catalogue), or "Other kinds"."""
        if key == OTHER:
            return self._texts.plain("progression.other_kinds")
        return self._texts.plain(f"opportunities.kinds.{key}")

    def _region_name(self, key: str) -> str:
        """A region's name, "No region yet", or "Other areas"."""
        if key == OTHER:
            return self._texts.plain("progression.other_regions")
        if key == NO_REGION:
            return self._texts.plain("progression.no_region")
        return self._forum.region_name(key) or key

    def render(self, report: ProgressionReport) -> RenderedReport:
        """The whole report (called on a worker thread: the chart takes a moment)."""
        return RenderedReport(
            self.text(report),
            self.chart(report),
            self.csv(report),
            f"progression-{self._day(report).isoformat()}.png",
            f"progression-{self._day(report).isoformat()}.csv",
        )

    def _day(self, report: ProgressionReport) -> date:
        """The report's local day."""
        return report.now.astimezone(self._zone).date()

    def text(self, report: ProgressionReport) -> str:
        """The report in words (HTML; `send` splits it when long)."""
        get, t = self._texts.get, report.threshold
        fig = lambda f: self.figure(f, t)  # noqa: E731
        parts = [
            get("progression.head", day=day_words(self._day(report))),
            get("progression.rule", threshold=t),
            "",
            get(
                "progression.stages_head", members=fig(report.members), target=report.target_members
            ),
        ]
        parts += [
            get("progression.stage_line", stage=line.name, count=fig(line.members))
            for line in report.stages
        ]
        for window in report.movement:
            parts += [
                "",
                get("progression.movement_head", months=window.months, moved=fig(window.moved_up)),
            ]
            for reached in window.reached:
                if reached.median_days is not None:
                    parts.append(
                        get(
                            "progression.reached_median",
                            stage=reached.name,
                            count=fig(reached.members),
                            days=reached.median_days,
                        )
                    )
                else:
                    parts.append(
                        get(
                            "progression.reached_line",
                            stage=reached.name,
                            count=fig(reached.members),
                        )
                    )
        parts += [
            "",
            get(
                "progression.opportunities_head",
                months=report.months,
                offered=f"{report.offered:,}",
                taken=fig(report.taken),
                completed=fig(report.completed),
            ),
            get("progression.by_kind"),
        ]
        parts += [
            self._line("progression.kind_line", "kind", self._kind_name(x.key), x, t)
            for x in report.kinds
        ]
        parts.append(get("progression.by_region"))
        if report.regions:
            parts += [
                self._line("progression.region_line", "region", self._region_name(x.key), x, t)
                for x in report.regions
            ]
            everyone = f"{report.offered_everyone:,}"
            parts.append(get("progression.whole_forum_offered", offered=everyone))
        else:
            parts.append(get("progression.no_region_breakdown"))
        parts += ["", get("progression.targets_head")]
        parts += [
            get(
                "progression.hub_line",
                region=self._region_name(hub.region_id),
                hubs=hub.hubs,
                target=hub.target,
            )
            for hub in report.hubs
        ]
        return "\n".join(parts)

    def _line(self, key: str, name_field: str, name: str, line: OpportunityLine, t: int) -> str:
        """One kind's or region's opportunities line."""
        return self._texts.get(
            key,
            **{name_field: name},
            offered=f"{line.offered:,}",
            taken=self.figure(line.taken, t),
            completed=self.figure(line.completed, t),
        )

    def chart(self, report: ProgressionReport) -> bytes:
        """Members by stage now as a bar chart (PNG)."""
        return bar_chart_png(
            [line.name for line in report.stages],
            [line.members for line in report.stages],
            title=self._texts.plain("progression.chart_title"),
            status_words=self.status_words(report.threshold),
        )

    def csv(self, report: ProgressionReport) -> bytes:
        """The same figures as a CSV file: section, item, value (counts only)."""
        plain = self._texts.plain
        months = report.months
        rows: list[list[object]] = []
        stage = plain("progression.csv_stage")
        rows.append([stage, plain("progression.csv_members"), report.members])
        rows.append([stage, plain("progression.csv_target"), report.target_members])
        rows += [[stage, line.name, line.members] for line in report.stages]
        for window in report.movement:
            m = window.months
            rows.append([plain("progression.csv_moved", months=m), "", window.moved_up])
            for reached in window.reached:
                rows.append(
                    [plain("progression.csv_reached", months=m), reached.name, reached.members]
                )
                if reached.median_days is not None:
                    rows.append(
                        [
                            plain("progression.csv_median", months=m),
                            reached.name,
                            reached.median_days,
                        ]
                    )
        whole = plain("progression.csv_whole")
        rows.append([plain("progression.csv_offered", months=months), whole, report.offered])
        everyone = plain("progression.csv_offered_everyone", months=months)
        rows.append([everyone, whole, report.offered_everyone])
        rows.append([plain("progression.csv_taken", months=months), whole, report.taken])
        rows.append([plain("progression.csv_completed", months=months), whole, report.completed])
        for section, lines, name in (
            ("progression.csv_by_kind", report.kinds, self._kind_name),
            ("progression.csv_by_region", report.regions, self._region_name),
        ):
            label = plain(section)
            for line in lines:
                rows.append(
                    [
                        label,
                        f"{name(line.key)}: {plain('progression.csv_offered', months=months)}",
                        line.offered,
                    ]
                )
                rows.append(
                    [
                        label,
                        f"{name(line.key)}: {plain('progression.csv_taken', months=months)}",
                        line.taken,
                    ]
                )
                rows.append(
                    [
                        label,
                        f"{name(line.key)}: {plain('progression.csv_completed', months=months)}",
                        line.completed,
                    ]
                )
        for hub in report.hubs:
            region = self._region_name(hub.region_id)
            rows.append([plain("progression.csv_hubs"), region, hub.hubs])
            rows.append([plain("progression.csv_hub_target"), region, hub.target])
        header = [
            plain("progression.csv_section"),
            plain("progression.csv_item"),
            plain("progression.csv_value"),
        ]
        facts = [(plain("progression.chart_title"), self._day(report).isoformat())]
        return attendance_csv(facts, header, rows, self.status_words(report.threshold))  # type: ignore[arg-type]
