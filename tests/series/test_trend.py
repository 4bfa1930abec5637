"""The trend at the end of each round's pack: from each round's published figures, a hidden
figure stays hidden ("fewer than 5" / "not shown"), and a line chart (a PNG) once there are
three rounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.results.suppression import FEWER_THAN_5, SHOWN
from bot.services.series import CONSULTATION
from bot.services.series.chart import trend_chart_png
from bot.services.series.trend import NOT_SHOWN, RoundLabel, survey_trend
from bot.services.surveys.files import read_survey_key
from bot.services.surveys.results import survey_results
from tests.series.world import CASEY, DANA, FIRST_MONDAY, NW, World

PNG = b"\x89PNG\r\n\x1a\n"
# Who answers what in each round (positions: 0 Easy, 1 Hard, 2 Not sure).
ROUNDS = (
    [0] * 6 + [1] * 6,  # 50% / 50% / 0%
    [0] * 8 + [1] * 3,  # Hard: 3 people, "fewer than 5"
    [0] * 5 + [1] * 5 + [2] * 2,  # Not sure: 2 people
)


async def _run_rounds(world: World) -> list[int]:
    """Three monthly rounds, each answered as ROUNDS says and closed; their ids."""
    created = await world.series.start_consultation(CASEY, world.poll(), FIRST_MONDAY)
    made = []
    for answers in ROUNDS:
        opens = (await world.series.get(CASEY, created.id)).next_opens_at
        assert opens is not None
        world.clock.set(opens)
        round_id = (await world.series.sweep())[0]
        for member, position in zip(NW, answers, strict=False):
            await world.consultations.vote(member, round_id, position)
        world.clock.advance(timedelta(days=8))
        await world.consultations.tick()
        made.append(round_id)
    return made


async def test_three_rounds_make_a_trend_that_keeps_hidden_figures_hidden(world: World) -> None:
    """Each answer's share per round from that round's protected figures: 50% in round 1, a
    "fewer than 5" where a round hid a small count (and nothing that would give it away)."""
    made = await _run_rounds(world)
    trend = await world.series.trend(CONSULTATION, made[2])
    assert trend is not None
    assert [r.number for r in trend.rounds] == [1, 2, 3]
    (question,) = trend.questions
    easy, hard, unsure = question.rows
    assert [easy.label, hard.label, unsure.label] == ["Easy", "Hard", "Not sure"]
    assert (easy.cells[0].value, easy.cells[0].status) == (50.0, SHOWN)
    assert hard.cells[1].status == FEWER_THAN_5 and hard.cells[1].value is None
    assert unsure.cells[2].status == FEWER_THAN_5
    # Round 2: 11 answered and shown; Easy's share would give Hard's 3 away, so it is hidden.
    assert easy.cells[1].status != SHOWN
    # Each cell is exactly what that round's own pack published.
    for index, round_id in enumerate(made):
        published = await world.consultations.published(await world.consultations.get(round_id))
        for row, figure, percent in zip(
            question.rows, published.counts, published.percents, strict=True
        ):
            cell = row.cells[index]
            assert cell.shown == (figure.status == SHOWN and percent is not None)
            if cell.shown:
                assert cell.value == percent
    # Round 2's trend covers rounds 1 and 2 only.
    earlier = await world.series.trend(CONSULTATION, made[1])
    assert earlier is not None and [r.number for r in earlier.rounds] == [1, 2]


async def test_the_pack_carries_the_trend_and_a_chart_from_the_third_round(world: World) -> None:
    """Round 2's pack has the trend in words, no line chart; round 3's has the words and a
    PNG line chart. Decision-makers chosen get the same trend."""
    made = await _run_rounds(world)
    second = await world.consultations.results_pack(CASEY, made[1])
    third = await world.consultations.results_pack(DANA, made[2])
    words = [part.text_html for part in second if "How answers changed" in part.text_html]
    assert len(words) == 1
    assert "round 1 (4 Jan), round 2 (1 Feb)" in words[0]
    assert "Hard: 50%, fewer than 5" in words[0]
    assert not [
        p for p in second if p.media and p.media.upload and "trend" in p.media.upload.filename
    ]
    charts = [p for p in third if p.media and p.media.upload and "trend" in p.media.upload.filename]
    assert len(charts) == 1
    assert charts[0].media.upload.data.startswith(PNG)
    assert "How the answers changed, round by round." in charts[0].text_html
    words = next(p.text_html for p in third if "3 rounds so far" in p.text_html)
    assert "Not sure: 0%" in words and "fewer than 5" in words


async def test_a_one_off_consultation_has_no_trend(world: World) -> None:
    """Outside a series there is nothing to add."""
    one = await world.consultations.create(
        CASEY, world.poll(closes_at=world.clock.now() + timedelta(days=2))
    )
    assert await world.series.trend(CONSULTATION, one.id) is None
    assert await world.series.trend_parts(CONSULTATION, one.id) == []


def test_a_survey_trend_from_each_rounds_protected_figures(tmp_path: Path, world: World) -> None:
    """A repeating survey: per choice and scale question each answer's share per round, a
    scale's median per round; a round with too few finished or its answers deleted shows
    nothing; a hidden count stays "fewer than 5"."""
    survey = read_survey_key(tmp_path / "surveys", "pulse")
    many = [{"used": "often", "which": ("ae",), "ease": 4, "days": 3}] * 6 + [{"used": "never"}] * 6
    small = [{"used": "once", "which": ("phone",), "ease": 2, "days": 10}] * 2 + [
        {"used": "never"}
    ] * 9
    rounds = [
        (RoundLabel(1, datetime(2027, 1, 4, 10, tzinfo=UTC)), survey_results(survey, many, 12, 5)),
        (RoundLabel(2, datetime(2027, 2, 1, 10, tzinfo=UTC)), survey_results(survey, small, 12, 5)),
        (
            RoundLabel(3, datetime(2027, 3, 1, 10, tzinfo=UTC)),
            survey_results(survey, many[:3], 12, 5),
        ),
        (RoundLabel(4, datetime(2027, 4, 5, 9, tzinfo=UTC)), None),  # answers deleted
    ]
    trend = survey_trend(survey, rounds)
    used = next(q for q in trend.questions if q.text.startswith("Did you use"))
    often, once, _ = used.rows
    assert [c.value for c in often.cells[:1]] == [50.0]
    assert once.cells[1].status == FEWER_THAN_5
    assert all(c.status == NOT_SHOWN for c in often.cells[2:])  # 3 finished; deleted
    ease = next(q for q in trend.questions if q.kind == "scale")
    median = ease.rows[-1]
    assert median.what == "median" and median.cells[0].value == 4.0
    assert median.cells[1].status == NOT_SHOWN  # 2 answered: held back, no median
    assert not [q for q in trend.questions if q.kind == "text"]


def test_the_line_chart_is_a_png_with_gaps_for_hidden_figures() -> None:
    """Hidden figures are gaps; the chart is a PNG."""
    png = trend_chart_png(
        "How easy was it?",
        ["1\n4 Jan", "2\n1 Feb", "3\n1 Mar"],
        [("Easy", [50.0, None, 41.0]), ("Hard", [None, None, None])],
        axis_label="Share of answers",
    )
    assert png.startswith(PNG)


async def test_a_survey_rounds_pack_ends_with_its_series_part(world: World) -> None:
    """A repeating survey's round, closed: its pack ends with the series' part (the first
    round says the comparison starts next time); a one-off survey's pack has none."""
    created = await world.series.start_survey(CASEY, world.survey(), FIRST_MONDAY)
    opens = (await world.series.get(CASEY, created.id)).next_opens_at
    assert opens is not None
    world.clock.set(opens)
    (round_id,) = await world.series.sweep()
    world.clock.advance(timedelta(days=8))
    await world.surveys.sweep()
    parts = await world.surveys.results_pack(CASEY, round_id)
    assert "This is the first round." in parts[-1].text_html
    assert "Getting help this month" in parts[-1].text_html
    trend = await world.series.trend("survey", round_id)
    assert trend is not None and [r.number for r in trend.rounds] == [1]
