"""The shipped text catalogue: every text renders, is valid Telegram HTML, fits, and reads easily.

If a test here fails after you changed config/texts/*.yaml, the message says which key to fix.
"""

from __future__ import annotations

import html
import re
import statistics
from html.parser import HTMLParser

import pytest
import textstat

from bot.texts import Texts, load_texts
from config.settings import CONFIG_DIR

TELEGRAM_LIMIT = 4096
READING_EASE_TARGET = 70
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "s",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-spoiler",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "code": {"class"}, "blockquote": {"expandable"}}
ALLOWED_ENTITIES = {"lt", "gt", "amp", "quot"}

# A sample value for every placeholder the catalogue uses, like the bot fills in.
SAMPLES: dict[str, object] = {
    # Progression (progression.yaml).
    "stage": "Took part",
    "moved": 15,
    "offered": 3,
    "taken": 12,
    "completed": 6,
    "coordinator": "Casey",
    "contribution": "a role at a meeting",
    "words": "Sam",
    # Opportunities (opportunities.yaml).
    "interested": 3,
    "chosen": 1,
    "not_chosen": 2,
    "withdrawn": 0,
    "involves": "A ten-minute talk about the forum.",
    "gives": "Travel paid and a reference",
    "time_needed": "One afternoon",
    "places": "Places: 2",
    "kinds": "Volunteering: Yes, Jobs: No",
    "outcome": "completed",
    "action": "role.granted",
    "active": 12,
    "asked": 3,
    "actor": "Sam",
    "at": "Thursday 10 December 2026, 2:30pm",
    "broadcasts": 4,
    "checked": "1 November 2026",
    "consented": "Thursday 10 December 2026",
    "consultations": "Yes",
    "count": 12,
    "covers": "England",
    "date": "Thursday 10 December 2026",
    "deleted": "Friday 10 December 2027",
    "bot_deletes": "\nThe bot deletes all answers 12 months after the survey closes.",
    "answers_kept": "12 months",
    "detail": "coordinator",
    "entries": 40,
    "helps": "Free support for anyone who is struggling.",
    "hub": "North West hub 1",
    "hub_target": 2,
    "hubs": 1,
    "left": 12,
    "limit": 1000,
    "meetings": "Yes",
    "members": 12,
    "message": "Please call me after 5pm.",
    "name": "Sam",
    "need": "Mental health",
    "news": "No",
    "open": "Any time",
    "pause": "Messages are on.",
    "paused": 12,
    "phone": "116 123",
    "records": 12,
    "region": "North West",
    "group": "North West hub chat",
    "opportunity_kind": "volunteering",
    "groups": 2,
    "topic": " I will post in this topic.",
    "admin": " The bot is an admin there, so it sees every message.",
    "request_id": 7,
    "requests": 12,
    "role": "coordinator",
    "roles": "coordinator",
    "target": 200,
    "text": "SHOUT to 85258",
    "user_id": 123456789,
    "web": "https://www.samaritans.org",
    # Broadcasts (config/texts/broadcasts.yaml).
    "audience": "members in North West",
    "created": "10 Dec 2026, 14:05",
    "delivered": "4,950",
    "done": "1,200",
    "id": 12,
    "kind": "Message",
    "n": 3,
    "state": "Sending now: 1,200 of 5,000 done.",
    "time": "11 Dec 2026, 18:30",
    "total": "5,000",
    "urgent": "(urgent)",
    "when": "It will start as soon as you press Send.",
    # Meetings (config/texts/meetings.yaml).
    "answer": "going",
    "day": "Tuesday 15 December 2026",
    "details": "<b>Hub meeting</b>\nWhen: Tuesday 15 December 2026 at 14:00",
    "going": 6,
    "hours": 2,
    "length": "2 hours",
    "link": "https://meet.example.org/hub",
    "maybe": 3,
    "minutes": 30,
    "no": 2,
    "notes": "Travel paid. Lunch provided.",
    "removed": 1,
    "place": "Central Library, Room 2",
    "repeat": "It repeats every month, on the first Tuesday.",
    "feedback": "Feedback: no survey.",  # the preview's feedback survey line
    "meeting": "North West hub meeting",  # the meeting a feedback survey is about
    "silent": 9,
    "title": "North West hub meeting",
    "where": "Central Library, Room 2",
    "which": "first",
    "weekday": "Tuesday",
    # consultations
    # /newpoll (config/texts/newpoll.yaml)
    "readers": "Coordinators, and Sam",
    "visibility": "After it closes",
    "comment": "We ask if they want to tell us more.",
    "opens": "Thursday 10 December 2026 at 14:30",
    "meeting_answers": 2,
    "poll_answers": 3,
    "surveys": 2,
    "question": "Should hub meetings move to evenings?",
    "answers": "Yes, Not sure",
    "answered": 42,
    "invited": 120,
    "area": "North West",
    "rate": 35,
    "percent": 40,
    "lines": "• Yes: 20 (48%)\n• No: fewer than 5",
    "blocks": "North West: asked 30, answered 12",
    "summary": "Asked: 120. Answered: 42 (35%).",
    "breakdown": "By area",
    "closed": "Friday 18 December 2026 at 17:00",
    "closes": "Friday 18 December 2026 at 17:00",
    "reaches": "Tuesday 8 December 2026 at 08:00",
    "block": "Should hub meetings move to evenings?",
    "how": "Tap one answer.",
    "note": "Answers go to the national board without names.",
    "several": "People could choose more than one answer.",
    "comments": "• More evening sessions please.",
    # Attendance reports (config/texts/attendance.yaml).
    "came": "fewer than 5",
    "held": 7,
    "people": 19,
    "saved": 6,
    "since": "Friday 20 March 2026",
    "span": "three months",
    "until": "Saturday 20 June 2026",
    # The audit log in sentences (/audit).
    "sentence": "Sam made Priya a decision-maker.",
    "person": "Priya",
    "what": "members report",
    "months": 3,
    # Small groups put together (SMALL_GROUP_THRESHOLD).
    "threshold": 10,
    "names": "Midlands, South West",
    # Reaching everyone (config/texts/reach.yaml).
    "days": 14,
    "why": "has not opened the bot yet",
    "next": "Send /grant 123456789 decision-maker. It gives you a link for them.",
    # Answering a survey (config/texts/surveys.yaml).
    "minimum": "0",
    "maximum": "1,200",
    # Survey results: a number band (config/texts/survey_results.yaml).
    "low": "5",
    "high": "9",
    # A survey as members see it, and /newsurvey (surveys.yaml, newsurvey.yaml).
    "anonymity": "Your answers are anonymous.",
    "intro": "Five short questions.",
    "purpose": "To learn what helps people get support sooner.",
    "who_runs": "The forum's peer researchers.",
    "who_sees": "The peer research team.",
    "kept_for": "Twelve months after it closes.",
    "section": "<u>About getting help</u>\n\n",
    "heading": "About getting help",
    "number": 3,
    "max_length": "500",
    "withdraw": "Changed your mind? Tap the button below.",
    "finished": 4,
    "questions": 7,
    "file": "getting_help",
    "key": "getting_help",
    "error": "line 12: 'chioce' is not a kind of question.",
    "broken": "\n\nThese files have a mistake:\n• <b>old_one</b>: line 3: 'title:' is missing.",
    # Repeating questions and surveys (series.yaml).
    "rule": "Every month on the first Monday at 10:00, open for 7 days.",
    "week": "first",
    "made": 3,
    "round": 2,
    "rounds": "round 1 (4 Jan), round 2 (1 Feb), round 3 (1 Mar)",
    "figures": "50%, fewer than 5, 42%",
}

_TAG = re.compile(r"<[^>]*>")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


@pytest.fixture(scope="module")
def texts() -> Texts:
    return load_texts(CONFIG_DIR / "texts")


@pytest.fixture(scope="module")
def rendered(texts: Texts) -> dict[str, str]:
    """Every entry rendered with sample values (needs every placeholder to have a sample)."""
    return {
        key: texts.get(key, **{name: SAMPLES[name] for name in texts.fields(key)})
        for key in sorted(texts.keys())
        if texts.fields(key) <= SAMPLES.keys()
    }


class TelegramHtmlChecker(HTMLParser):
    """Collects what Telegram's HTML parser would refuse ("can't parse entities")."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed")
        for name, _ in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()):
                self.problems.append(f"attribute {name!r} on <{tag}> is not allowed")
        if tag == "a" and not dict(attrs).get("href"):
            self.problems.append("<a> needs an href")
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing <{tag}/> is not allowed")

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> does not close the last open tag")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for char in "<>&":
            if char in data:
                self.problems.append(f"a bare {char!r}: write it as an entity")

    def handle_entityref(self, name: str) -> None:
        if name not in ALLOWED_ENTITIES:
            self.problems.append(f"&{name}; is not an entity Telegram knows")

    def handle_comment(self, data: str) -> None:
        self.problems.append("comments are not allowed")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("declarations are not allowed")

    def handle_pi(self, data: str) -> None:
        self.problems.append("processing instructions are not allowed")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("declarations are not allowed")


def telegram_html_problems(text: str) -> list[str]:
    checker = TelegramHtmlChecker()
    checker.feed(text)
    checker.close()
    if checker.rawdata:
        checker.problems.append(f"unfinished markup: {checker.rawdata[:20]!r}")
    problems = checker.problems
    problems += [f"<{tag}> is never closed" for tag in checker.open]
    return problems


def plain_text(rendered_text: str) -> str:
    """What a person reads: tags removed, entities turned back into characters."""
    return html.unescape(_TAG.sub("", rendered_text))


def is_label(texts: Texts, key: str) -> bool:
    """Command descriptions, and short labels (under 4 words of their own, not a sentence)."""
    if key.startswith("commands."):
        return True
    own_words = _PLACEHOLDER.sub("", _TAG.sub("", texts.raw(key)))
    return len(own_words.split()) < 4 and not re.search(r"[.?!]", own_words)


def test_every_placeholder_has_a_sample_value(texts: Texts) -> None:
    missing = {
        f"{key}: {{{name}}}"
        for key in sorted(texts.keys())
        for name in texts.fields(key)
        if name not in SAMPLES
    }
    assert not missing, (
        "These placeholders are new: if one is a typo, fix the text; if it is real, "
        f"add a sample value to SAMPLES in this test: {sorted(missing)}"
    )


def test_every_entry_renders(texts: Texts, rendered: dict[str, str]) -> None:
    assert set(rendered) == set(texts.keys())
    leftovers = [key for key, text in rendered.items() if "{" in text or "}" in text]
    assert not leftovers, f"texts with a brace left after filling in: {leftovers}"


def test_every_entry_is_valid_telegram_html(rendered: dict[str, str]) -> None:
    problems = {
        key: found for key, text in rendered.items() if (found := telegram_html_problems(text))
    }
    assert not problems, f"texts Telegram would refuse: {problems}"


def test_the_html_check_catches_mistakes() -> None:
    assert telegram_html_problems('<b>ok</b> <a href="tg://user?id=1">x</a> &amp;') == []
    assert telegram_html_problems("<b>open")
    assert telegram_html_problems("<b><i>x</b></i>")
    assert telegram_html_problems("<div>x</div>")
    assert telegram_html_problems("<br/>")
    assert telegram_html_problems("Tom & Jerry")
    assert telegram_html_problems("1 < 2")
    assert telegram_html_problems("&nbsp;")
    assert telegram_html_problems("<a>no link</a>")
    assert telegram_html_problems('<b class="x">x</b>')


def test_no_entry_is_longer_than_telegram_allows(rendered: dict[str, str]) -> None:
    too_long = {key: len(text) for key, text in rendered.items() if len(text) > TELEGRAM_LIMIT}
    assert not too_long, f"texts over {TELEGRAM_LIMIT} characters: {too_long}"


def test_buttons_and_commands_are_plain_text(texts: Texts) -> None:
    """Button labels and command descriptions are shown as written: no tags, no entities."""
    marked = [
        key
        for key in sorted(texts.keys())
        if key.startswith(("buttons.", "commands.")) and re.search(r"[<>&]", texts.raw(key))
    ]
    assert not marked, f"HTML would show as typed in these labels: {marked}"


def test_command_descriptions_fit_telegram(texts: Texts) -> None:
    wrong = [
        key
        for key in sorted(texts.keys())
        if key.startswith("commands.") and not 3 <= len(texts.plain(key)) <= 256
    ]
    assert not wrong, f"command descriptions must be 3 to 256 characters: {wrong}"


def test_texts_are_easy_to_read(texts: Texts, rendered: dict[str, str]) -> None:
    scores = {
        key: textstat.flesch_reading_ease(plain_text(text))
        for key, text in rendered.items()
        if not is_label(texts, key)
    }
    assert len(scores) > 40  # the sentence-like texts are all scored
    mean = statistics.mean(scores.values())
    worst = sorted(scores.items(), key=lambda item: item[1])[:5]
    worst_text = ", ".join(f"{key} ({score:.0f})" for key, score in worst)
    assert mean >= READING_EASE_TARGET, (
        f"Mean Flesch reading ease is {mean:.1f}; it must be at least {READING_EASE_TARGET}. "
        f"Shorter sentences and shorter words help. Hardest to read first: {worst_text}"
    )


def test_labels_are_the_only_texts_left_out_of_the_reading_score(texts: Texts) -> None:
    left_out = {key for key in sorted(texts.keys()) if is_label(texts, key)}
    # Every sentence someone reads is scored, even a short one.
    assert "settings.not_paused" not in left_out
    assert "start.agreed" not in left_out
    assert "buttons.ask_coordinator" not in left_out
    assert {"buttons.done", "settings.answer_yes", "commands.help"} <= left_out
    assert all(key.startswith("commands.") or len(texts.raw(key).split()) < 4 for key in left_out)


# Counts read right: "1 person", "2 people", "1 meeting", "0 meetings".

# Placeholders that name one thing (a message number, a Telegram id), not how many.
IDENTIFIERS = {"id", "user_id", "request_id"}
# Counts the bot fills in as words, like "1,200" or "fewer than 5".
COUNTS_AS_WORDS = {"delivered", "done", "total", "came"}
COUNT_FIELDS = {
    name for name, value in SAMPLES.items() if isinstance(value, int) and name not in IDENTIFIERS
} | COUNTS_AS_WORDS
# A noun's form for one, and for any other number.
NOUNS = {
    "person": "people",
    "member": "members",
    "meeting": "meetings",
    "message": "messages",
    "hour": "hours",
    "minute": "minutes",
    "second": "seconds",
    "day": "days",
    "week": "weeks",
    "month": "months",
    "year": "years",
    "answer": "answers",
    "question": "questions",
    "comment": "comments",
    "note": "notes",
    "record": "records",
    "request": "requests",
    "action": "actions",
    "hub": "hubs",
    "region": "regions",
    "area": "areas",
    "time": "times",
    "letter": "letters",
    "reminder": "reminders",
    "invitation": "invitations",
    "file": "files",
}
PLURAL_NOUNS = {many: one for one, many in NOUNS.items()}
_NUMBER_AND_NOUN = re.compile(r"(?<![\d,.:/])(\d[\d,]*) (?:more )?([a-z]+)\b")
_ARE_ONE = re.compile(r"\b(?:are|were) 1\b(?![\d,.]\d)|(?<![\d,.])\b1 (?:are|were|have)\b")


def number_disagreements(text: str) -> list[str]:
    """Places where a number and its noun disagree, like '1 people' or '2 person'."""
    found = []
    for match in _NUMBER_AND_NOUN.finditer(text):
        number, word = match.groups()
        wrong_form = PLURAL_NOUNS if number == "1" else NOUNS  # "1 people", "2 person"
        if word in wrong_form:
            found.append(match.group(0))
    found += [match.group(0) for match in _ARE_ONE.finditer(text)]
    return found


def test_the_number_check_catches_mistakes() -> None:
    assert number_disagreements("1 people came. 1 members. 2 person. fewer than 5 person.") == [
        "1 people",
        "1 members",
        "2 person",
        "5 person",
    ]
    assert number_disagreements("There are 1. 1 more days.") == ["1 more days", "are 1"]
    assert number_disagreements("1 person, 0 people, 2 meetings, 1,200 people, 1 meeting") == []
    assert number_disagreements("call 116 123. At 14:00 people; 21 people; 1 hour") == []


@pytest.mark.parametrize("count", [0, 1, 2])
def test_every_count_reads_right_for_0_1_and_2(texts: Texts, count: int) -> None:
    """Every entry with every count field set to 0, 1 and 2: no '1 people', no '2 person'."""
    wrong = {}
    for key in sorted(texts.keys()):
        # A placeholder with no sample yet is taken as a count (and named by the test above).
        values = {
            name: SAMPLES[name] if name in SAMPLES and name not in COUNT_FIELDS else count
            for name in texts.fields(key)
        }
        if found := number_disagreements(plain_text(texts.get(key, **values))):
            wrong[key] = found
    assert not wrong, (
        f"With counts of {count}, these texts do not read right. Write the word for both, "
        f"like {{count}} {{count:person|people}}: {wrong}"
    )


def test_counts_that_matter_show_the_right_word(texts: Texts) -> None:
    """A few texts people see often, read for 1 and for other numbers."""
    invite = {**{n: SAMPLES[n] for n in texts.fields("meetings.new_preview")}, "count": 1}
    assert "invite 1 person now" in plain_text(texts.get("meetings.new_preview", **invite))
    invite["count"] = 0
    assert "invite 0 people now" in plain_text(texts.get("meetings.new_preview", **invite))
    assert texts.get("members.hub_list", hub="Hub 1", count=1).endswith("1 member</b>")
    assert texts.get("members.hub_list", hub="Hub 1", count=2).endswith("2 members</b>")
