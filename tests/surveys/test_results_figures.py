"""A closed survey's figures: what a reader of every published figure can and cannot work out.

The property test plays a reader who knows the survey file (which questions are required and
when each is asked) and reads every figure of the pack: for each question it lists every set of
counts that fits what is published, and checks that a "fewer than 5" count could still be at
least two numbers, that a median says nothing the counts do not, and that a question asked
after an answer whose count is hidden tells nothing either."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.results.suppression import FEWER_THAN_5, FEWER_THAN_THRESHOLD, HIDDEN, SHOWN, Figure
from bot.services.surveys.definition import (
    CHOICE,
    CHOICES,
    NUMBER,
    SCALE,
    SKIPPED,
    TEXT,
    Condition,
    Option,
    Question,
)
from bot.services.surveys.flow import holds
from bot.services.surveys.results import (
    QuestionResult,
    SurveyResults,
    free_text,
    survey_results,
)
from bot.services.surveys.table import SurveyColumn, band_of, column_value
from tests.surveys.result_samples import (
    SURVEY,
    WHICH,
    answered_sample,
    answered_surveys,
    property_settings,
    response,
)

# Property tests run many examples; on a busy machine they take several times longer.
pytestmark = pytest.mark.timeout(600)

PROPERTY = property_settings(80)
OPTIONS = (Option("a", "A"), Option("b", "B"))
SEARCH_LIMIT = 300_000  # count patterns a reader tries for one question


def possible(figure: Figure, answered: int) -> list[int]:
    """What a published figure can be, as its words say."""
    if figure.status == SHOWN:
        return [figure.value]
    if figure.status == FEWER_THAN_5:
        return [1, 2, 3, 4]
    return [0, *range(5, answered + 1)]


def patterns(result: QuestionResult) -> list[tuple[int, ...]] | None:
    """Every set of counts that fits the question's published figures (None: too many to
    list, so the reader's check is left to the other examples)."""
    figures = result.figures
    answered = figures.answered.value
    ranges = [possible(f, answered) for f in figures.counts]
    size = 1
    for values in ranges:
        size *= len(values)
    if size > SEARCH_LIMIT:
        return None
    several = result.kind == CHOICES

    def fits(counts: tuple[int, ...]) -> bool:
        if several:  # each who answered ticked one or more
            return answered <= sum(counts) and max(counts) <= answered
        return sum(counts) == answered

    return [counts for counts in itertools.product(*ranges) if fits(counts)]


def middle(counts: tuple[int, ...], total: int) -> tuple[int, int]:
    """Which value the two middle answers fall in."""
    cumulative = list(itertools.accumulate(counts))
    return tuple(
        next(i for i, c in enumerate(cumulative) if target < c)
        for target in ((total - 1) // 2, total // 2)
    )


def true_counts(survey, result: QuestionResult, responses) -> list[int]:
    """The real count per option, value or band."""
    question = survey.question(result.question_id)
    given = [a[question.id] for a in responses if a.get(question.id, SKIPPED) is not SKIPPED]
    if question.kind == CHOICES:
        return [sum(o.id in a for a in given) for o in question.options]
    if question.kind == SCALE:
        return [given.count(v) for v in range(1, 6)]
    if question.kind == NUMBER:
        spots = Counter(band_of(result.bands, v) for v in given)
        return [spots[i] for i in range(len(result.bands))]
    return [given.count(o.id) for o in question.options]


def check_reader(survey, results: SurveyResults, responses) -> None:
    """Everything a reader may try, question by question."""
    threshold = results.threshold
    for result in results.questions:
        figures = result.figures
        question = survey.question(result.question_id)
        real = true_counts(survey, result, responses)
        answered = sum(1 for a in responses if a.get(question.id, SKIPPED) is not SKIPPED)
        if result.held_back is not None:
            assert all(f.status == HIDDEN for f in (figures.answered, *figures.counts))
            assert result.median is None
            # Held back only because of the question it depends on: that one is out of
            # sight, or is shown but this question's count would cut a new group out of it
            # (several skip rules on one several-choices question: "ticked A or C" minus
            # "ticked A" is the few who ticked C and not A, which no published count shows).
            assert question.show_if is not None
            condition = results.result(question.show_if.question)
            assert (
                condition.held_back is not None
                or not condition.fully_shown
                or survey.question(question.show_if.question).kind == CHOICES
            )
            continue
        # Who answered is shown, or "fewer than <threshold>".
        if answered < threshold:
            assert figures.answered.status == FEWER_THAN_THRESHOLD
            assert all(f.status != SHOWN for f in figures.counts)
            assert result.median is None
            continue
        assert figures.answered == Figure(answered, SHOWN)
        if figures.withheld:  # the split is not shown at all
            assert all(f.status == HIDDEN for f in figures.counts)
            assert result.median is None
            continue
        # Every count shown is the real one, and never 1 to 4.
        for figure, value in zip(figures.counts, real, strict=True):
            if figure.status == SHOWN:
                assert figure.value == value and value not in range(1, 5)
            elif figure.status == FEWER_THAN_5:
                assert value in range(1, 5)
        found = patterns(result)
        if found is not None:
            assert tuple(real) in found
            for position, figure in enumerate(figures.counts):
                if figure.status == FEWER_THAN_5:
                    assert len({counts[position] for counts in found}) >= 2, (question, figures)
            fixed = {middle(c, answered) for c in found} == {middle(tuple(real), answered)}
            if result.median is not None:
                assert fixed
            elif question.kind in (SCALE, NUMBER):
                assert not fixed  # a median the counts already fix is not left out
        if result.median is not None:
            values = [a[question.id] for a in responses if a.get(question.id) is not None]
            assert result.median == statistics.median(values)
        # A question asked after another's answer is shown only if that one's counts are.
        if question.show_if is not None:
            condition = results.result(question.show_if.question)
            if condition is not None:
                assert condition.fully_shown or (condition.too_few and result.too_few)


def check_skip_rule_counts(survey, results: SurveyResults, responses) -> None:
    """Who answered the questions asked after skip rules on one question never splits that
    question's published groups (a number band, a mix of ticked options) into 1 to 4 people."""
    rules: dict[str, list] = {}
    for result in results.questions:
        question = survey.question(result.question_id)
        if question.show_if is not None and result.figures.answered.status == SHOWN:
            rules.setdefault(question.show_if.question, []).append(question.show_if)
    for target, published in rules.items():
        question = survey.question(target)
        given = [a[target] for a in responses if a.get(target) is not None]
        if question.kind == NUMBER:
            bands = results.result(target).bands
            whole = Counter(band_of(bands, v) for v in given)
            parts = Counter(
                (band_of(bands, v), *(holds(rule, {target: v}) for rule in published))
                for v in given
            )
            assert all(n not in range(1, 5) or n == whole[key[0]] for key, n in parts.items())
        elif question.kind == CHOICES:
            named = sorted({o for r in published if len(r.any_of) > 1 for o in r.any_of})
            if named:
                mixes = Counter(tuple(o in ticks for o in named) for ticks in given)
                assert all(n not in range(1, 5) for n in mixes.values()), mixes


@PROPERTY
@given(answered_surveys(), st.integers(5, 12), st.integers(0, 30))
def test_no_published_figure_gives_anyone_away(answered, threshold, more_invited) -> None:
    survey, responses = answered
    results = survey_results(survey, responses, len(responses) + more_invited, threshold)
    if len(responses) < threshold:
        assert results.withheld
        assert results.finished.status == FEWER_THAN_THRESHOLD
        assert results.questions == () and results.table is None
        return
    assert results.finished == Figure(len(responses), SHOWN)
    counted = [q.id for q in survey.answerable if q.kind != TEXT]
    assert [r.question_id for r in results.questions] == counted
    check_reader(survey, results, responses)
    check_skip_rule_counts(survey, results, responses)
    # The file only has questions whose figures are all shown, and agrees with them.
    table = results.table
    assert table is not None
    for position, column in enumerate(table.columns):
        result = results.result(column.question_id)
        assert result.fully_shown
        question = survey.question(column.question_id)
        cells = Counter(row[position] for row in table.rows)
        if column.option_id is not None:
            index = [o.id for o in question.options].index(column.option_id)
            assert cells[True] == result.figures.counts[index].value
        elif question.kind == SCALE:
            assert [cells[v] for v in range(1, 6)] == [f.value for f in result.figures.counts]
        elif question.kind == NUMBER:
            assert [cells[i] for i in range(len(result.bands))] == [
                f.value for f in result.figures.counts
            ]
        else:
            assert [cells[o.id] for o in question.options] == [
                f.value for f in result.figures.counts
            ]


@PROPERTY
@given(answered_sample(), st.integers(5, 12))
def test_skewed_answers_to_a_survey_with_skip_logic(responses, threshold) -> None:
    # Every answer possible, some rare: hidden counts, held-back questions and medians that
    # must be left out all come up here.
    results = survey_results(SURVEY, responses, len(responses), threshold)
    if not results.withheld:
        check_reader(SURVEY, results, responses)
        check_skip_rule_counts(SURVEY, results, responses)


def test_a_question_asked_after_a_hidden_count_is_held_back() -> None:
    # 20 went to their GP, 7 to A&E, 3 nowhere. "3" reads "fewer than 5", so 7 is hidden
    # (else 30 - 20 - 7 gives it). "Why A&E?" is asked only after A&E and must be answered:
    # its number answered would be that 7 again, so nothing of it is shown.
    responses = [response(where="gp", easy=4) for _ in range(20)]
    responses += [response(where="ae", why_ae="open", easy=2) for _ in range(7)]
    responses += [response(where="none", easy=3) for _ in range(3)]
    results = survey_results(SURVEY, responses, 40, 5)
    where = results.result("where")
    assert [f.status for f in where.figures.counts] == [SHOWN, HIDDEN, FEWER_THAN_5]
    why = results.result("why_ae")
    assert why.held_back == "where"
    assert why.figures.answered.status == HIDDEN
    # Neither is in the file.
    columns = {c.question_id for c in results.table.columns}
    assert "where" not in columns and "why_ae" not in columns


def test_a_question_asked_after_counts_all_shown_is_published() -> None:
    responses = [response(where="gp", easy=4) for _ in range(12)]
    responses += [response(where="ae", why_ae="open", easy=4) for _ in range(6)]
    responses += [response(where="ae", why_ae="told", easy=5) for _ in range(6)]
    results = survey_results(SURVEY, responses, 30, 5)
    why = results.result("why_ae")
    assert why.held_back is None
    assert why.figures.answered == Figure(12, SHOWN)
    assert [f.value for f in why.figures.counts] == [6, 6]
    assert why.figures.percents == (50, 50)


def test_a_skip_rule_inside_a_number_band_would_split_it() -> None:
    # "How many times?" is counted in bands of 5. A question asked only to those who said 7
    # or more: its number answered, with the band "5 to 9", would say how many said 5 or 6.
    wait = Question("wait", NUMBER, "How many times?", minimum=0, maximum=20)
    why = Question(
        "why", CHOICE, "Why so often?", options=OPTIONS, show_if=Condition("wait", at_least=7)
    )
    survey = replace(SURVEY, questions=(wait, why))
    two_at_five = [response(wait=5) for _ in range(2)] + [response(wait=1) for _ in range(6)]
    many = [response(wait=8, why="a") for _ in range(6)] + [response(wait=9, why="b")] * 5
    results = survey_results(survey, two_at_five + many, 20, 5)
    assert results.result("wait").fully_shown  # 6 said 0 to 4, 13 said 5 to 9
    assert results.result("why").held_back == "wait"
    # With 5 or more on each side of the rule, nothing small is split off: it is shown.
    five_at_five = [response(wait=5) for _ in range(5)] + [response(wait=1) for _ in range(6)]
    results = survey_results(survey, five_at_five + many, 22, 5)
    assert results.result("why").held_back is None
    assert results.result("why").figures.answered == Figure(11, SHOWN)


def test_a_skip_rule_on_two_ticked_options_would_tell_who_ticked_both() -> None:
    # "Which helped?" counts each option; a question for those who ticked a friend or a peer
    # worker, with those counts, says how many ticked both: 2 here.
    asked = Question(
        "more",
        CHOICE,
        "Tell us more?",
        options=OPTIONS,
        show_if=Condition("which", any_of=("friend", "peer")),
    )
    survey = replace(SURVEY, questions=(WHICH, asked))
    both = [response(which=("friend", "peer"), more="a") for _ in range(2)]
    one = [response(which=("friend",), more="a") for _ in range(8)]
    one += [response(which=("peer",), more="b") for _ in range(8)]
    apps = [response(which=("app",)) for _ in range(6)]
    results = survey_results(survey, both + one + apps, 24, 5)
    assert results.result("which").fully_shown
    assert results.result("more").held_back == "which"
    # A rule on one option is that option's own count: nothing new.
    single = replace(asked, show_if=Condition("which", any_of=("friend",)))
    survey = replace(SURVEY, questions=(WHICH, single))
    results = survey_results(survey, both + one + apps, 24, 5)
    assert results.result("more").held_back is None


def test_everyone_ticked_something_so_a_small_tick_count_can_give_itself_away() -> None:
    # 10 answered "which helped"; 6 ticked "a friend", fewer than 5 "a peer worker", nobody
    # "an app". Since each of the 10 ticked at least one, "peer" must be at least 4: so it
    # would read 4. The split is withheld; how many answered is still shown.
    responses = [response(where="gp", which=("friend",), easy=3) for _ in range(6)]
    responses += [response(where="gp", which=("peer",), easy=3) for _ in range(4)]
    results = survey_results(SURVEY, responses, 10, 5)
    which = results.result("which")
    assert which.figures.withheld
    assert which.figures.answered == Figure(10, SHOWN)
    assert all(f.status == HIDDEN for f in which.figures.counts)


def test_ticks_that_cannot_be_worked_out_are_shown() -> None:
    responses = [response(where="gp", which=("friend", "peer"), easy=3) for _ in range(3)]
    responses += [response(where="gp", which=("friend",), easy=3) for _ in range(9)]
    results = survey_results(SURVEY, responses, 12, 5)
    which = results.result("which")
    assert not which.figures.withheld
    assert which.figures.counts == (Figure(12, SHOWN), Figure(None, FEWER_THAN_5), Figure(0, SHOWN))


def test_a_median_is_shown_when_the_counts_already_fix_it() -> None:
    # Scale answers: 3 said 1, 12 said 3, 15 said 4, 4 said 5. The middle is 4 whatever the
    # two small counts are.
    values = [1] * 3 + [3] * 12 + [4] * 15 + [5] * 4
    responses = [response(where="gp", easy=v) for v in values]
    easy = survey_results(SURVEY, responses, 40, 5).result("easy")
    assert easy.figures.counts[0].status == FEWER_THAN_5
    assert easy.median == 4


def test_a_median_that_would_narrow_a_small_count_is_left_out() -> None:
    # 6 said 1, 3 said 2, 6 said 5. "3" reads "fewer than 5", so the first 6 is hidden too:
    # a reader knows only that they add up to 9. The middle (8th) answer is 1 when the hidden
    # count is 8, and 2 when it is less: the median would narrow the small count.
    values = [1] * 6 + [2] * 3 + [5] * 6
    responses = [response(where="gp", easy=v) for v in values]
    easy = survey_results(SURVEY, responses, 15, 5).result("easy")
    assert [f.status for f in easy.figures.counts[:2]] == [HIDDEN, FEWER_THAN_5]
    assert easy.median is None


def test_numbers_are_counted_in_bands_with_their_median() -> None:
    values = [0] * 6 + [3] * 6 + [7] * 6 + [12] * 6
    responses = [response(where="gp", easy=3, times=v) for v in values]
    times = survey_results(SURVEY, responses, 24, 5).result("times")
    assert [(b.low, b.top) for b in times.bands] == [(0, None), (5, None), (10, None), (15, 20)]
    assert [f.value for f in times.figures.counts] == [12, 6, 6, 0]
    assert times.median == 5.0


def test_too_few_finished_shows_only_how_many_were_asked() -> None:
    responses = [response(where="gp", easy=3) for _ in range(9)]
    results = survey_results(SURVEY, responses, 30, 10)
    assert results.withheld
    assert results.invited == Figure(30, SHOWN)
    assert results.finished == Figure(None, FEWER_THAN_THRESHOLD)
    assert results.response_rate is None
    assert results.questions == () and results.table is None
    # A handful asked reads "fewer than 5" too.
    assert survey_results(SURVEY, [], 3, 10).invited == Figure(None, FEWER_THAN_5)


def test_headline_figures() -> None:
    responses = [response(where="gp", easy=3) for _ in range(12)]
    results = survey_results(SURVEY, responses, 48, 10)
    assert results.invited == Figure(48, SHOWN)
    assert results.finished == Figure(12, SHOWN)
    assert results.response_rate == 25
    # A question fewer than the threshold answered: "fewer than 10", no split.
    which = results.result("which")
    assert which.too_few and which.figures.answered.status == FEWER_THAN_THRESHOLD


def test_free_text_is_for_each_text_question_shuffled_on_its_own() -> None:
    responses = [response(where="gp", say=f"  answer {i} ") for i in range(40)]
    responses += [response(where="gp", say=None), response(where="gp", say="   ")]
    found = free_text(SURVEY, responses)
    assert set(found) == {"say"}
    assert sorted(found["say"]) == sorted(f"answer {i}" for i in range(40))
    in_order = [f"answer {i}" for i in range(40)]
    # Shuffled each time (40 answers: the same order twice by chance is out of the question).
    assert any(free_text(SURVEY, responses)["say"] != in_order for _ in range(3))
    assert free_text(SURVEY, []) == {"say": []}


def test_answers_that_do_not_fit_are_not_counted() -> None:
    responses = [response(where="gp", easy=3) for _ in range(10)]
    responses += [response(where="mars", easy=7, times="lots")]
    results = survey_results(SURVEY, responses, 11, 5)
    assert results.result("where").figures.answered == Figure(10, SHOWN)
    assert results.result("easy").figures.answered == Figure(10, SHOWN)
    assert column_value(SURVEY, SurveyColumn("where"), responses[-1]) is None
