"""Calendar files (.ics) for meetings, made with the icalendar library, in local time."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from storage.meetings import Meeting

PRODID = "-//National Service User Forum//Forum bot//EN"


def meeting_ics(meeting: Meeting, zone: ZoneInfo, domain: str = "forum-bot.invalid") -> bytes:
    """One meeting as an .ics file whose times carry the local time zone (TZID)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{domain}")
    event.add("summary", meeting.title)
    start = meeting.starts_at.astimezone(zone)
    event.add("dtstart", start)
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("dtstamp", meeting.starts_at)
    # The place as typed holds its link when one was typed with it
    # (handlers/meetings/newmeeting.py).
    parts = (meeting.place,) if meeting.link in meeting.place else (meeting.place, meeting.link)
    location = ", ".join(part for part in parts if part)
    if location:
        event.add("location", location)
    if meeting.link:
        event.add("url", meeting.link)
    if meeting.notes:
        event.add("description", meeting.notes)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
