"""How attendance reports look: catalogue texts filled with protected figures, and the CSV.

Only protected figures (`bot.results.suppression.Figure`) are ever written out as counts of
people: a figure that is not shown reads "fewer than 5", "fewer than 10" (the small-group
threshold) or "hidden" from the catalogue; small places put together read "Other places (...)".
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.forum import Forum
from bot.localtime import local_date, local_datetime
from bot.results.attendance_csv import attendance_csv
from bot.results.suppression import FEWER_THAN_5, FEWER_THAN_THRESHOLD, HIDDEN, SHOWN, Figure
from bot.services import attendance
from bot.services.attendance import AreaFigures, AreaKey, MeetingReport, PastMeeting, PeriodReport
from bot.texts import Texts

BUTTON_ROOM = 48  # characters of a meeting's title shown on its button


def _is_empty(area: AreaFigures) -> bool:
    """A 'no hub' or 'no region' line with nobody in it: left out of the report."""
    nobody = area.attendances == area.members == Figure(0, SHOWN)
    return nobody and area.kind in (attendance.NO_HUB, attendance.NO_REGION)


class AttendanceMessages:
    """Renders attendance reports for one catalogue, time zone and forum."""

    def __init__(self, texts: Texts, zone: ZoneInfo, forum: Forum) -> None:
        self._texts = texts
        self._zone = zone
        self._forum = forum

    def figure(self, figure: Figure, threshold: int) -> str:
        """A count as words: its value when shown, otherwise its status."""
        if figure.status == SHOWN and figure.value is not None:
            return str(figure.value)
        return self.status_words(threshold)[figure.status]

    def status_words(self, threshold: int) -> dict[str, str]:
        """The words for a figure not shown (the CSV file uses them too)."""
        plain = self._texts.plain
        return {
            FEWER_THAN_5: plain("attendance.fewer_than_5"),
            FEWER_THAN_THRESHOLD: plain("attendance.fewer_than_threshold", threshold=threshold),
            HIDDEN: plain("attendance.hidden"),
        }

    def place_name(self, kind: str, place_id: str, parts: tuple[AreaKey, ...] = ()) -> str:
        """The name people see for a line of a report."""
        if kind == attendance.OTHERS:
            names = "; ".join(self.place_name(*part) for part in parts)
            return self._texts.plain("attendance.others", names=names)
        if kind == attendance.REGION:
            return self._forum.region_name(place_id) or place_id
        if kind == attendance.HUB:
            return self._forum.hub_name(place_id) or place_id
        if kind == attendance.NO_HUB:
            region = self._forum.region_name(place_id) or place_id
            return self._texts.plain("attendance.no_hub", region=region)
        if kind == attendance.ELSEWHERE:
            return self._texts.plain("attendance.elsewhere")
        return self._texts.plain("attendance.no_region")

    def meeting_button(self, meeting: PastMeeting) -> str:
        """A meeting's button label: its date and title."""
        local = meeting.starts_at.astimezone(self._zone)
        title = " ".join(meeting.title.split())
        if len(title) > BUTTON_ROOM:
            title = title[: BUTTON_ROOM - 1].rstrip() + "…"
        return self._texts.plain(
            "attendance.meeting_button", date=f"{local.day} {local:%b}", title=title
        )

    def meeting(self, report: MeetingReport) -> str:
        """One meeting's report."""
        texts = self._texts
        threshold = report.threshold
        parts = [
            texts.get(
                "attendance.meeting_head",
                title=report.meeting.title,
                when=local_datetime(report.meeting.starts_at, self._zone),
                invited=self.figure(report.invited, threshold),
                going=self.figure(report.going, threshold),
            )
        ]
        if report.came is None:
            parts.append(texts.get("attendance.not_marked"))
        elif report.came == Figure(0, SHOWN):
            parts.append(texts.get("attendance.nobody_came"))
        else:
            parts.append(texts.get("attendance.came", came=self.figure(report.came, threshold)))
            lines = [
                texts.get(
                    "attendance.place_line",
                    area=self.place_name(place.kind, place.place_id, place.parts),
                    came=self.figure(place.came, threshold),
                )
                for place in report.places
                if not (
                    place.kind in (attendance.NO_HUB, attendance.NO_REGION, attendance.ELSEWHERE)
                    and place.came == Figure(0, SHOWN)
                )
            ]
            if lines:
                header = (
                    "attendance.by_region"
                    if report.by == attendance.BY_REGION
                    else "attendance.by_hub"
                )
                parts.append("\n".join([texts.get(header), *lines]))
        parts.append(texts.get("attendance.privacy", threshold=threshold))
        return "\n\n".join(parts)

    def span(self, months: int) -> str:
        """'three months' or 'twelve months'."""
        return self._texts.plain(f"attendance.span_{months}")

    def period(self, report: PeriodReport) -> str:
        """A period's summary."""
        texts = self._texts
        head = texts.get(
            "attendance.period_head",
            span=self.span(report.months),
            since=local_date(report.since, self._zone),
            until=local_date(report.until, self._zone),
            held=report.meetings_held,
            saved=report.meetings_saved,
            came=self.figure(report.attendances, report.threshold),
            people=self.figure(report.people, report.threshold),
            members=self.figure(report.members, report.threshold),
        )
        blocks = [texts.get("attendance.period_places")] if report.regions else []
        for region in report.regions:
            if _is_empty(region.area):
                continue
            lines = [self._area_line("attendance.region_line", region.area, report.threshold)]
            lines += [
                self._area_line("attendance.hub_line", hub, report.threshold)
                for hub in region.hubs
                if not _is_empty(hub)
            ]
            blocks.append("\n".join(lines))
        privacy = texts.get("attendance.privacy", threshold=report.threshold)
        return "\n\n".join([head, *blocks, privacy])

    def _area_line(self, key: str, area: AreaFigures, threshold: int) -> str:
        return self._texts.get(
            key,
            area=self.place_name(area.kind, area.place_id, area.parts),
            came=self.figure(area.attendances, threshold),
            members=self.figure(area.members, threshold),
        )

    def period_csv(self, report: PeriodReport) -> bytes:
        """The same figures as a CSV file: the period and totals, then one row per place."""
        plain = self._texts.plain
        facts = [
            (plain("attendance.csv_from"), local_date(report.since, self._zone)),
            (plain("attendance.csv_to"), local_date(report.until, self._zone)),
            (plain("attendance.csv_held"), report.meetings_held),
            (plain("attendance.csv_saved"), report.meetings_saved),
            (plain("attendance.csv_came"), report.attendances),
            (plain("attendance.csv_people"), report.people),
        ]
        header = [
            plain("attendance.csv_place"),
            plain("attendance.csv_region"),
            plain("attendance.csv_members"),
            plain("attendance.csv_came"),
        ]
        rows: list[list[str | int | Figure]] = [
            [plain("attendance.csv_everyone"), "", report.members, report.attendances]
        ]
        for region in report.regions:
            area = region.area
            region_name = self.place_name(area.kind, area.place_id, area.parts)
            rows.append([region_name, "", area.members, area.attendances])
            for hub in region.hubs:
                rows.append(
                    [
                        self.place_name(hub.kind, hub.place_id, hub.parts),
                        region_name,
                        hub.members,
                        hub.attendances,
                    ]
                )
        return attendance_csv(facts, header, rows, self.status_words(report.threshold))

    def csv_filename(self, report: PeriodReport) -> str:
        """Like 'attendance-2026-06-20-last-3-months.csv'."""
        day = report.until.astimezone(self._zone).date().isoformat()
        return f"attendance-{day}-last-{report.months}-months.csv"
