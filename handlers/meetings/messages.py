"""How meeting messages look: catalogue texts and the RSVP and calendar buttons.

The meeting service calls this (it is given an instance by the composition root), so the
service never builds texts or callback data itself.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.localtime import local_when
from bot.recurrence import MONTHLY, week_of_month
from bot.services.meetings import GOING, MAYBE, NO, Meeting
from bot.texts import Markup, Texts
from handlers.shared.callbacks import encode

ACTION = "mt"  # mt:<meeting id>:<g|m|n|ics>
ANSWER_CODES = {"g": GOING, "m": MAYBE, "n": NO}
CODE_OF = {answer: code for code, answer in ANSWER_CODES.items()}
CALENDAR = "ics"


class MeetingMessages:
    """Renders meeting texts from the catalogue, in local time."""

    def __init__(self, texts: Texts, zone: ZoneInfo) -> None:
        self._texts = texts
        self._zone = zone

    def group_post(self, meeting: Meeting, what: str) -> str:
        """A meeting that is new, changed or cancelled, or a reminder, as posted in a linked
        group (``what``): the title and time only (the place and link are given in private)."""
        return self._texts.get(
            f"group_chats.post_{what}", title=meeting.title, when=self.when(meeting)
        )

    def when(self, meeting: Meeting) -> str:
        """Like 'Thursday 10 December 2026 at 14:30', in local time."""
        return local_when(meeting.starts_at, self._zone, self._texts)

    def repeats(self, rule: str, starts_at: datetime) -> str:
        """Like 'It repeats every week.', or for a monthly series the day it keeps: 'It
        repeats every month, on the first Tuesday.' (a fifth weekday repeats on the last)."""
        if rule != MONTHLY:
            return self._texts.plain(f"meetings.repeat_{rule}")
        local = starts_at.astimezone(self._zone)
        return self._texts.plain(
            "meetings.repeat_monthly",
            which=self._texts.plain(f"meetings.week_{week_of_month(local.date())}"),
            weekday=f"{local:%A}",
        )

    def length(self, meeting: Meeting) -> str:
        """Like '90 minutes', '1 hour' or '2 hours'."""
        hours, minutes = divmod(meeting.duration_minutes, 60)
        if minutes == 0 and hours >= 1:
            return self._texts.plain("meetings.length_hours", hours=hours)
        return self._texts.plain("meetings.length_minutes", minutes=meeting.duration_minutes)

    def where(self, meeting: Meeting) -> str:
        """The place as it was typed (it holds the link when one was typed with it), or the
        link alone, or an address and a link kept apart by older meetings (plain text)."""
        if meeting.place and meeting.link in meeting.place:
            return self._texts.plain("meetings.where_place", place=meeting.place)
        if meeting.place and meeting.link:
            return self._texts.plain("meetings.where_both", place=meeting.place, link=meeting.link)
        if meeting.link:
            return self._texts.plain("meetings.where_link", link=meeting.link)
        return self._texts.plain("meetings.where_place", place=meeting.place)

    def details(self, meeting: Meeting) -> Markup:
        """The meeting's title, time, length, place and notes as safe HTML."""
        block = self._texts.get(
            "meetings.details",
            title=meeting.title,
            when=self.when(meeting),
            length=self.length(meeting),
            where=self.where(meeting),
        )
        if meeting.notes:
            block = self._texts.get(
                "meetings.details_notes", details=Markup(block), notes=meeting.notes
            )
        return Markup(block)

    def answer_words(self, answer: str | None) -> str:
        """'Your answer: going', or 'You have not answered yet.' (safe HTML)."""
        if answer is None:
            return self._texts.get("meetings.no_answer_yet")
        return self._texts.get(
            "meetings.answer_line", answer=self._texts.plain(f"meetings.answer_{answer}")
        )

    def rsvp_buttons(self, meeting: Meeting, calendar: bool = False) -> InlineKeyboardMarkup:
        """Going / Maybe / Can't make it (and Add to calendar)."""
        rows = [
            [
                InlineKeyboardButton(
                    self._texts.plain(f"meetings.button_{answer}"),
                    callback_data=encode(ACTION, meeting.id, CODE_OF[answer]),
                )
                for answer in (GOING, MAYBE)
            ],
            [
                InlineKeyboardButton(
                    self._texts.plain("meetings.button_no"),
                    callback_data=encode(ACTION, meeting.id, CODE_OF[NO]),
                )
            ],
        ]
        if calendar:
            rows.append(
                [
                    InlineKeyboardButton(
                        self._texts.plain("meetings.button_calendar"),
                        callback_data=encode(ACTION, meeting.id, CALENDAR),
                    )
                ]
            )
        return InlineKeyboardMarkup(rows)

    def _with_details(self, key: str, meeting: Meeting) -> str:
        """A catalogue text with the meeting's details in it."""
        return self._texts.get(key, details=self.details(meeting))

    def invitation(self, meeting: Meeting) -> tuple[str, object]:
        """The invitation with its answer buttons."""
        return self._with_details("meetings.invitation", meeting), self.rsvp_buttons(meeting)

    def reminder(self, meeting: Meeting) -> tuple[str, object]:
        """The reminder, with the answer buttons (to change an answer there and then) and
        the calendar button."""
        markup = self.rsvp_buttons(meeting, calendar=True)
        return self._with_details("meetings.reminder", meeting), markup

    def nudge(self, meeting: Meeting) -> tuple[str, object]:
        """The one gentle nudge, with the answer buttons."""
        return self._with_details("meetings.nudge", meeting), self.rsvp_buttons(meeting)

    def changed(self, meeting: Meeting) -> tuple[str, object]:
        """The meeting moved or changed place."""
        return self._with_details("meetings.changed", meeting), self.rsvp_buttons(meeting)

    def cancelled(self, meeting: Meeting) -> tuple[str, object]:
        """The meeting is cancelled (no buttons)."""
        return self._with_details("meetings.cancelled", meeting), None
