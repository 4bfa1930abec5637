"""How a journey reads: the /journey message, the names of its parts on buttons, and the
summary PDF's words and file name, all from the text catalogue (config/texts/journey.yaml)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.localtime import local_date
from bot.services.journey import Entry, Journey, Summary
from bot.services.journey.pdf import Section, SummaryPage
from bot.services.journey.skills import SkillList
from bot.texts import Texts

CONTRIBUTION_KINDS = ("meeting_role", "survey_designed", "story_shared", "other")
MOST_LINES = 8  # opportunities or contributions listed in full; the rest counted
PDF_LINES = 5  # the same on the one-page summary
PDF_WORDS = 70  # characters of a title or a few words kept on the summary
_SAFE = re.compile(r"[^A-Za-z0-9]+")


def month(moment: datetime, zone: ZoneInfo) -> str:
    """Like 'March 2026', in local time."""
    return f"{moment.astimezone(zone):%B %Y}"


def _kind_name(texts: Texts, kind: str | None) -> str:
    """A contribution's kind in words."""
    known = kind if kind in CONTRIBUTION_KINDS else "other"
    return texts.plain(f"journey.contribution_kinds.{known}")


def _outcome(texts: Texts, state: str | None) -> str:
    """'took part' or 'completed'."""
    return texts.plain(
        "journey.outcome_completed" if state == "completed" else "journey.outcome_took_part"
    )


def _listed(texts: Texts, lines: list[str], more_key: str) -> list[str]:
    """At most MOST_LINES lines, then 'and N more'."""
    if len(lines) <= MOST_LINES:
        return lines
    rest = len(lines) - MOST_LINES
    return [*lines[:MOST_LINES], texts.get(more_key, count=rest)]


def journey_text(texts: Texts, zone: ZoneInfo, journey: Journey) -> str:
    """The /journey message: each shown section, warm words for an empty one."""
    parts = [texts.get("journey.heading", name=journey.first_name)]
    if journey.shows("joined"):
        parts.append(texts.get("journey.joined", date=local_date(journey.joined_at, zone)))
    if journey.shows("meetings"):
        lines = [texts.get("journey.section_meetings")]
        if journey.meetings:
            lines.append(texts.get("journey.meetings", count=len(journey.meetings)))
            lines.append(texts.get("journey.meetings_latest"))
            lines += [
                texts.get("journey.meeting_line", title=m.title, date=month(m.when, zone))
                for m in journey.latest_meetings
            ]
        else:
            lines.append(texts.get("journey.meetings_none"))
        parts.append("\n".join(lines))
    if journey.shows("answers"):
        parts.append(
            "\n".join(
                (
                    texts.get("journey.section_answers"),
                    texts.get("journey.answers", count=journey.consultations, n=journey.surveys)
                    if journey.consultations or journey.surveys
                    else texts.get("journey.answers_none"),
                    texts.get("journey.anonymous_note"),
                )
            )
        )
    if journey.shows("opportunities"):
        lines = [
            texts.get(
                "journey.opportunity_line",
                title=o.title,
                what=_outcome(texts, o.state),
                date=month(o.when, zone),
            )
            for o in journey.opportunities
        ] or [texts.get("journey.opportunities_none")]
        lines = _listed(texts, lines, "journey.more")
        parts.append("\n".join([texts.get("journey.section_opportunities"), *lines]))
    if journey.shows("contributions"):
        lines = [
            _contribution(
                texts, zone, c, "journey.contribution_line", "journey.contribution_plain", html=True
            )
            for c in journey.contributions
        ] or [texts.get("journey.contributions_none")]
        lines = _listed(texts, lines, "journey.more")
        parts.append("\n".join([texts.get("journey.section_contributions"), *lines]))
    if journey.shows("skills"):
        lines = [texts.get("journey.skill_line", text=s.name) for s in journey.skills] or [
            texts.get("journey.skills_none")
        ]
        parts.append("\n".join([texts.get("journey.section_skills"), *lines]))
    if journey.hidden:
        parts.append(texts.get("journey.hidden_count", count=len(journey.hidden)))
    return "\n\n".join(parts)


def _contribution(
    texts: Texts, zone: ZoneInfo, entry: Entry, with_detail: str, plain: str, html: bool
) -> str:
    """One contribution: its kind, its few words if any, its month."""
    render = texts.get if html else texts.plain
    kind = _kind_name(texts, entry.state)
    when = month(entry.when, zone)
    if entry.title:
        detail = entry.title if html else _clip(entry.title)
        return render(with_detail, kind=kind, detail=detail, date=when)
    return render(plain, kind=kind, date=when)


def label_of(texts: Texts, zone: ZoneInfo, entry: Entry) -> str:
    """A part of the journey named in plain words (for a button, or a note)."""
    if entry.kind == "section":
        return texts.plain(f"journey.section_names.{entry.item}")
    if entry.kind == "meeting":
        return texts.plain(
            "journey.hide_meeting", title=f"{entry.title} ({month(entry.when, zone)})"
        )
    if entry.kind == "opportunity":
        return texts.plain("journey.hide_opportunity", title=entry.title)
    kind = _kind_name(texts, entry.state)
    name = f"{kind}: {entry.title}" if entry.title else kind
    return texts.plain("journey.hide_contribution", kind=name)


def summary_page(texts: Texts, zone: ZoneInfo, summary: Summary) -> SummaryPage:
    """The summary's words: only what ``Summary`` holds (never history or support needs)."""
    done: list[str] = []
    if summary.joined_at is not None:
        done.append(texts.plain("journey.pdf_joined", date=month(summary.joined_at, zone)))
    if summary.meetings:
        done.append(texts.plain("journey.pdf_meetings", count=summary.meetings))
    if summary.consultations or summary.surveys:
        done.append(
            texts.plain(
                "journey.pdf_answers", count=summary.consultations or 0, n=summary.surveys or 0
            )
        )
    if not done:
        done.append(texts.plain("journey.pdf_nothing_yet"))
    sections = [Section(texts.plain("journey.pdf_done"), tuple(done), True)]
    if summary.opportunities:
        lines = [
            texts.plain(
                "journey.pdf_opportunity",
                title=_clip(o.title),
                what=_outcome(texts, o.state),
                date=month(o.when, zone),
            )
            for o in summary.opportunities
        ]
        lines = _plain_listed(texts, lines)
        sections.append(Section(texts.plain("journey.pdf_opportunities"), tuple(lines), True))
    if summary.contributions:
        lines = [
            _contribution(
                texts,
                zone,
                c,
                "journey.pdf_contribution",
                "journey.pdf_contribution_plain",
                html=False,
            )
            for c in summary.contributions
        ]
        lines = _plain_listed(texts, lines)
        sections.append(Section(texts.plain("journey.pdf_contributions"), tuple(lines), True))
    if summary.skills:
        sections.append(Section(texts.plain("journey.pdf_skills"), (", ".join(summary.skills),)))
    return SummaryPage(
        title=texts.plain("journey.pdf_title", name=summary.first_name),
        subtitle=texts.plain("journey.pdf_subtitle", date=local_date(summary.made_at, zone)),
        sections=tuple(sections),
        footer=texts.plain("journey.pdf_footer"),
    )


def _plain_listed(texts: Texts, lines: list[str]) -> list[str]:
    """At most MOST_LINES lines for the PDF, then 'and N more'."""
    if len(lines) <= PDF_LINES:
        return lines
    return [*lines[:PDF_LINES], texts.plain("journey.pdf_more", count=len(lines) - PDF_LINES)]


def _clip(words: str) -> str:
    """A title or a few words cut to PDF_WORDS characters for the summary."""
    return words if len(words) <= PDF_WORDS else words[: PDF_WORDS - 1].rstrip() + "…"


def summary_file_name(summary: Summary, zone: ZoneInfo) -> str:
    """Like 'forum-summary-Sam-2026-12-10.pdf': letters and digits of the first name only
    (accents dropped; 'member' when none are left), and the local date."""
    folded = unicodedata.normalize("NFKD", summary.first_name)
    ascii_name = folded.encode("ascii", "ignore").decode("ascii")
    name = _SAFE.sub("-", ascii_name).strip("-")[:30].strip("-") or "member"
    day = summary.made_at.astimezone(zone).date().isoformat()
    return f"forum-summary-{name}-{day}.pdf"


def mydata_lines(texts: Texts, skills: SkillList, part: dict[str, list]) -> list[str]:
    """/mydata's lines about the journey: the skills added and how many parts are hidden
    (nothing when there are none)."""
    lines = []
    if part["skills"]:
        names = [
            row["skill"] if row["own_words"] else skills.name_of(row["skill"]) or row["skill"]
            for row in part["skills"]
        ]
        lines.append(texts.get("journey.mydata_skills", text=", ".join(names)))
    if part["hidden_from_journey"]:
        lines.append(texts.get("journey.mydata_hidden", count=len(part["hidden_from_journey"])))
    return lines
