"""What coordinators and decision-makers read in a survey's results pack: the figures in words,
a chart per question, the CSV file and (coordinators only) the answers in words. Read back as a
person would: no count of 1 to 4 in any line, no CSV row whose answers fewer than the threshold
share, author's words escaped, and the parts within Telegram's limits."""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.content import CAPTION_LIMIT
from bot.forum import load_forum
from bot.services.consultations.messages import PackPart
from bot.services.surveys.definition import Option
from bot.services.surveys.records import SurveyRecord
from bot.services.surveys.results import free_text, survey_results
from bot.services.surveys.table import NumberBand
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.surveys.results_messages import SurveyResultsMessages
from tests.surveys.result_samples import (
    SURVEY,
    WHERE,
    answered_sample,
    property_settings,
    response,
)

# Property tests run many examples; on a busy machine they take several times longer.
pytestmark = pytest.mark.timeout(600)

LONDON = ZoneInfo("Europe/London")
CLOSED = datetime(2026, 12, 18, 17, 0, tzinfo=UTC)
_TAG = re.compile(r"<[^>]+>")
# "• My GP: 12 (40%)" or "• A&E: fewer than 5": the count after the last colon.
COUNT_LINE = re.compile(r"^• .*: (?P<count>[^:(]+?)(?: \(\d+%\))?$")
ANSWERED = re.compile(r"^(?:Answered|.*Finished): (?P<count>[\d,]+)")


@pytest.fixture(scope="module")
def messages() -> SurveyResultsMessages:
    return SurveyResultsMessages(
        load_texts(CONFIG_DIR / "texts"), LONDON, load_forum(CONFIG_DIR / "forum.yaml")
    )


def record(survey=SURVEY, **changes) -> SurveyRecord:
    """A closed survey for everyone."""
    values = dict(
        id=12,
        file_key=survey.key,
        title=survey.title,
        anonymous=True,
        audience_scope="everyone",
        audience_place=None,
        opens_at=datetime(2026, 12, 10, 14, 30, tzinfo=UTC),
        closes_at=CLOSED,
        state="closed",
        invited=60,
        finished=0,
        survey=survey,
        closed_at=CLOSED,
    )
    values.update(changes)
    return SurveyRecord(**values)


def plain(text_html: str) -> str:
    """What a person reads: tags gone, entities back to characters."""
    return html.unescape(_TAG.sub("", text_html))


def counts_read(parts: list[PackPart]) -> list[str]:
    """Every count a person reads in the pack's words and captions."""
    found = []
    for part in parts:
        for line in plain(part.text_html).splitlines():
            match = COUNT_LINE.match(line) or ANSWERED.match(line)
            if match:
                found.append(match["count"])
    return found


def csv_rows(part: PackPart) -> list[list[str]]:
    """The CSV file's rows, header first."""
    assert part.media is not None and part.media.upload is not None
    return list(csv.reader(io.StringIO(part.media.upload.data.decode("utf-8-sig"))))


async def pack(messages, responses, threshold=5, coordinator=True, survey=SURVEY):
    results = survey_results(survey, responses, 60, threshold)
    words = free_text(survey, responses) if coordinator else None
    return results, await messages.results_pack(record(survey), results, words)


@property_settings(20)
@given(answered_sample(), st.integers(5, 12))
async def test_no_small_count_is_ever_readable(messages, responses, threshold) -> None:
    results, parts = await pack(messages, responses, threshold)
    read = counts_read(parts)
    assert read  # the pack says how many finished, at least
    for count in read:
        assert count.replace(",", "") not in {"1", "2", "3", "4"}, count
        if count.replace(",", "").isdigit() and count != "0":
            # A number of people shown is 5 or more; "answered" at the threshold or more.
            assert int(count.replace(",", "")) >= 5
    for part in parts:
        assert len(part.text_html) <= (CAPTION_LIMIT if part.media else 100_000)
    files = [p for p in parts if p.media is not None and p.media.kind == "document"]
    if results.withheld:
        assert [p.media for p in parts[:1]] == [None] and not files
        return
    if files:
        header, *rows = csv_rows(files[0])
        assert len(rows) == len(responses)
        # A reader of the file finds every row's answers shared by the threshold or more.
        assert min(Counter(map(tuple, rows)).values()) >= threshold
        assert len(header) == len(results.table.columns)


async def test_the_pack_in_words_charts_file_and_free_text(messages) -> None:
    responses = [response(where="gp", easy=4, times=2, say="Quicker replies.") for _ in range(8)]
    responses += [
        response(where="ae", why_ae="open", which=("friend",), easy=2, times=12) for _ in range(6)
    ]
    responses += [response(where="none", easy=5, times=0, say="=HYPERLINK(x)")]
    _, parts = await pack(messages, responses)
    summary = plain(parts[0].text_html)
    assert summary.startswith("Survey results: Getting help")
    assert "Closed on Friday 18 December 2026 at 17:00. It went to everyone in the forum." in (
        summary
    )
    assert "Asked: 60. Finished: 15 (25%)" in summary
    assert "1. Where did you go first for help?\nAnswered: 15" in summary
    # One went nowhere: "fewer than 5", and A&E's 6 is hidden so 15 - 8 does not give it.
    assert "• My GP: 8 (53%)\n• A&E: hidden\n• Nowhere: fewer than 5" in summary
    # "Why A&E" depends on a hidden count: held back, and it says why.
    assert "2. Why A&E?\nNot shown." in summary
    assert "small numbers of question 1" in summary
    # Six answered "which helped" (it is optional): at the threshold of 5 or more, so split.
    assert "3. Which of these helped?\nAnswered: 6\n• A friend: 6 (100%)" in summary
    assert "People could pick more than one answer." in summary
    assert "• 5 (Very easy): fewer than 5" in summary
    assert "• 1 (Very hard): 0 (0%)\n• 2: hidden" in summary
    # The middle answer is 4 whatever the hidden and small counts are: shown.
    assert "Middle answer: 4" in summary
    assert "5. How many times?\nAnswered: 15\n• 0 to 4: 9 (60%)" in summary
    assert "• 15 to 20: 0 (0%)\nMiddle answer: 2" in summary
    assert summary.rstrip().endswith("No names are ever shared.")
    # A chart per question with a split to show; each caption says the same as the words.
    photos = [p for p in parts if p.media is not None and p.media.kind == "photo"]
    assert [p.media.upload.filename for p in photos] == [
        "survey-12-1.png",
        "survey-12-3.png",
        "survey-12-4.png",
        "survey-12-5.png",
    ]
    assert all(p.media.upload.data.startswith(b"\x89PNG") for p in photos)
    assert "Nowhere: fewer than 5" in plain(photos[0].text_html)
    # The file: only questions whose figures are all shown, so never "where" nor "why_ae".
    document = next(p for p in parts if p.media is not None and p.media.kind == "document")
    assert document.media.upload.filename == "survey-12.csv"
    header, *rows = csv_rows(document)
    assert not any(h.startswith(("1.", "2.")) for h in header)
    assert "Some questions are not in the file: 1, 2, 4." in plain(document.text_html)
    assert len(rows) == 15
    # Answers in words last, for coordinators only: in a message a formula is just words.
    words = plain(parts[-1].text_html)
    assert words.startswith("Answers in words to: 6. Anything else?")
    assert "There are 9." in words
    assert words.count("• Quicker replies.") == 8 and "• =HYPERLINK(x)" in words


async def test_decision_makers_get_no_free_text(messages) -> None:
    responses = [response(where="gp", easy=4, say="My name is Sam.") for _ in range(10)]
    _, parts = await pack(messages, responses, coordinator=False)
    assert not any("Sam" in p.text_html for p in parts)
    assert not any("Answers in words" in p.text_html for p in parts)
    _, parts = await pack(messages, responses, coordinator=True)
    assert any("My name is Sam." in p.text_html for p in parts)


async def test_too_few_finished_is_one_message(messages) -> None:
    responses = [response(where="gp", easy=4, say="Fine.") for _ in range(4)]
    _, parts = await pack(messages, responses, threshold=5, coordinator=False)
    assert len(parts) == 1 and parts[0].media is None
    text = plain(parts[0].text_html)
    assert "Finished: fewer than 5" in text
    assert "Fewer than 5 people finished this survey." in text
    assert "My GP" not in text
    # Coordinators still get the words people wrote, with the reminder to read them first.
    _, parts = await pack(messages, responses, threshold=5, coordinator=True)
    assert "Please read them before you share them." in plain(parts[-1].text_html)


async def test_no_file_when_no_question_can_go_in_it(messages) -> None:
    responses = [response(where="gp", easy=v, times=v) for v in (1, 2, 3, 4, 5) * 2]
    responses += [response(where="ae", why_ae="told", easy=3, times=9)]
    results, parts = await pack(messages, responses)
    assert results.table.columns == ()
    assert not any(p.media is not None and p.media.kind == "document" for p in parts)
    assert any("There is no spreadsheet this time." in p.text_html for p in parts)


async def test_authors_words_are_escaped_and_spreadsheet_safe(messages) -> None:
    odd = replace(
        WHERE,
        text="Where <b>first</b>?",
        options=(Option("gp", "=cmd|' /C calc'!A0"), Option("ae", "A&E"), Option("none", "-1")),
    )
    survey = replace(SURVEY, questions=(odd,))
    responses = [response(where="gp") for _ in range(6)] + [response(where="ae") for _ in range(5)]
    _, parts = await pack(messages, responses, survey=survey)
    assert "Where &lt;b&gt;first&lt;/b&gt;?" in parts[0].text_html
    assert "• A&amp;E: 5 (45%)" in parts[0].text_html
    document = next(p for p in parts if p.media is not None and p.media.kind == "document")
    header, *rows = csv_rows(document)
    assert header == ["1. Where <b>first</b>?"]
    assert Counter(row[0] for row in rows) == {"'=cmd|' /C calc'!A0": 6, "A&E": 5}


async def test_a_long_question_gets_a_short_caption(messages) -> None:
    long = replace(WHERE, text="Where did you go first? " * 60)
    survey = replace(SURVEY, questions=(long,))
    responses = [response(where="gp") for _ in range(10)]
    _, parts = await pack(messages, responses, survey=survey)
    photo = next(p for p in parts if p.media is not None and p.media.kind == "photo")
    short = "Chart for question 1. The figures are in words in the first message."
    assert plain(photo.text_html) == short


async def test_the_audience_reads_as_a_place(messages) -> None:
    results = survey_results(SURVEY, [], 3, 5)
    in_region = record(audience_scope="region", audience_place="north_west")
    text = messages.figures_text(in_region, results)
    assert "It went to members in North West." in plain(text)
    text = messages.figures_text(record(audience_scope="hub", audience_place="nw_hub_1"), results)
    assert "It went to members of" in plain(text)
    assert "Asked: fewer than 5." in plain(text)


def test_number_bands_in_words(messages) -> None:
    bands = {
        (None, 0, None, False): "under 0",
        (1000, None, None, False): "1,000 or more",
        (5, 10, None, False): "5 to 9",
        (5, 6, None, False): "5",
        (10, 15, 12, False): "10 to 12",
        (20, 25, 20, False): "20",
        (2.5, 5, None, True): "2.5 to under 5",
        (7.5, 10, 10, True): "7.5 to 10",
    }
    for (low, high, top, decimals), words in bands.items():
        assert messages.band(NumberBand(low, high, top), decimals) == words
