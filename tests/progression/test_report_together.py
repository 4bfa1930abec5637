"""Every figure /progression publishes, checked together (DESIGN.md: a hidden count must not
be worked out from the report's other tables or totals, including the CSV and the chart,
which show the same figures). A property test over random small forums: the report is built
from facts that hang together as the database's would (an opportunity's outcome is also the
fact that reaches its stage), then an attacker who knows every published figure and every
relation between them (each table's totals; a stage's members now include everyone who
reached it in the last 3 or 12 months; the 3 months are inside the 12; a stage reached only
through opportunities was reached by no more people than the outcomes the kind lines count;
"fewer than 5" is 1 to 4; a figure hidden to protect one is 0 or at least 5) solves for each
count the report does not show. No count of 1 to 4, and no "fewer than 10", may come out
exactly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from bot.forum import load_forum
from bot.results.suppression import FEWER_THAN_5, FEWER_THAN_THRESHOLD, HIDDEN, SHOWN, Figure
from bot.services.attendance.figures import months_before
from bot.services.progression import load_stages
from bot.services.progression.figures import (
    NO_REGION,
    OTHER,
    ProgressionReport,
    build_report,
)
from bot.services.progression.stages import KINDS, OUTCOMES
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.progression.messages import ProgressionMessages
from storage.progression import Facts, OpportunityFigures
from storage.timefmt import to_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)
STAGES = load_stages(CONFIG_DIR / "progression_stages.yaml")
FORUM = load_forum(CONFIG_DIR / "forum.yaml")
RANK = STAGES.rank_of()
TOP = len(STAGES.stages) - 1
REGIONS = [region.id for region in FORUM.regions]
SINCE = months_before(NOW, 12, LONDON)  # the opportunities' period, as the service reads it
BIG = 100_000

# One member: days since joining, region, and what they did: (what, detail, days ago).
# what: "meeting" / "answered" / "contribution" (detail unused) or an opportunity kind (detail
# is the outcome).
Deed = tuple[str, str, int]
deeds = st.tuples(
    st.sampled_from(["meeting", "answered", "contribution", *KINDS, *KINDS]),
    st.sampled_from(OUTCOMES),
    st.integers(0, 700),
)
member = st.tuples(
    st.integers(0, 900), st.sampled_from([*REGIONS, ""]), st.lists(deeds, max_size=4)
)


def _fact_rank(what: str, detail: str) -> int | None:
    """The stage a deed reaches (None: it reaches none)."""
    if what == "meeting":
        return RANK.get(("meeting",))
    if what == "answered":
        return RANK.get(("answered",))
    if what == "contribution":
        return RANK.get(("contribution", "story_shared"))
    return RANK.get(("outcome", what, detail))


def world(members: list[tuple[int, str, list[Deed]]]) -> tuple[Facts, OpportunityFigures]:
    """The facts and opportunity figures storage would read for these members."""
    people: dict[int, tuple[str, str]] = {}
    earliest: dict[tuple[int, int], str] = {}
    outcomes: list[tuple[str, str, str]] = []
    for number, (joined_days, region, done) in enumerate(members):
        member_id = 600_000_000 + number
        people[member_id] = (to_db(NOW - timedelta(days=joined_days, hours=1)), region)
        for what, detail, days in done:
            when = NOW - timedelta(days=min(days, joined_days), minutes=30)
            at = to_db(when)
            if what in KINDS and when >= SINCE:
                outcomes.append((what, detail, region))
            rank = _fact_rank(what, detail)
            if rank is not None and rank > 0:
                key = (member_id, rank)
                if key not in earliest or at < earliest[key]:
                    earliest[key] = at
    facts = sorted((m, r, at) for (m, r), at in earliest.items())
    offered = {(kind, ""): 3 for kind in KINDS}
    return Facts(people, facts), OpportunityFigures(offered, outcomes)


@dataclass
class Model:
    """An attacker's integer program: one variable per count, the published figures and the
    relations between them."""

    names: list[str] = field(default_factory=list)
    rows: list[tuple[dict[int, float], float, float]] = field(default_factory=list)
    published: list[tuple[int, Figure, int]] = field(default_factory=list)  # var, figure, truth

    def var(self, name: str) -> int:
        """A new count (0 or more)."""
        self.names.append(name)
        return len(self.names) - 1

    def rel(self, terms: dict[int, float], low: float, high: float) -> None:
        """low <= sum(coefficient * variable) <= high."""
        self.rows.append((terms, low, high))

    def figure(self, index: int, figure: Figure, truth: int, any_value: bool = False) -> None:
        """What the report says of a count. ``any_value``: a figure hidden whatever its value
        (so "hidden" does not say 0 or at least 5)."""
        self.published.append((index, figure, truth))
        if figure.status == SHOWN:
            self.rel({index: 1}, figure.value, figure.value)
        elif figure.status == FEWER_THAN_5:
            self.rel({index: 1}, 1, 4)
        elif figure.status == FEWER_THAN_THRESHOLD:
            self.rel({index: 1}, 0, THRESHOLD - 1)
        elif figure.status == HIDDEN and not any_value and (truth == 0 or truth >= 5):
            flag = self.var(f"{self.names[index]} is 5 or more")
            self.rel({index: 1, flag: -BIG}, -BIG, 0)  # x <= BIG * flag
            self.rel({index: 1, flag: -5}, 0, BIG)  # x >= 5 * flag
            self.rel({flag: 1}, 0, 1)

    def bounds_of(self, index: int) -> tuple[float, float]:
        """The least and the most the attacker can make this count."""
        n = len(self.names)
        matrix = np.zeros((len(self.rows), n))
        lows, highs = [], []
        for r, (terms, low, high) in enumerate(self.rows):
            for i, c in terms.items():
                matrix[r, i] = c
            lows.append(low)
            highs.append(high)
        constraint = LinearConstraint(matrix, lows, highs)
        found = []
        for sign in (1, -1):
            c = np.zeros(n)
            c[index] = sign
            result = milp(
                c,
                constraints=constraint,
                integrality=np.ones(n),
                bounds=Bounds(0, BIG),
                options={"mip_rel_gap": 0},
            )
            assert result.success, result.message  # the truth is always a solution
            found.append(result.x[index])
        return found[0], found[1]


THRESHOLD = 10


def attacker(report: ProgressionReport, facts: Facts, figures: OpportunityFigures) -> Model:
    """The integer program for this report, with each count's true value beside it."""
    truth_stage = [0] * len(STAGES.stages)
    best: dict[int, int] = {}
    for member_id, rank, _ in facts.facts:
        best[member_id] = max(best.get(member_id, 0), rank)
    for member_id in facts.members:
        truth_stage[best.get(member_id, 0)] += 1
    model = Model()
    stage = [model.var(f"stage {s.key}") for s in STAGES.stages]
    members = model.var("members")
    model.rel({members: 1, **{s: -1 for s in stage}}, 0, 0)
    model.figure(members, report.members, len(facts.members))
    for s, line, truth in zip(stage, report.stages, truth_stage, strict=True):
        model.figure(s, line.members, truth)

    # Opportunities: each kind's took part and completed (never published themselves).
    took = {k: model.var(f"{k} took part") for k in KINDS}
    done = {k: model.var(f"{k} completed") for k in KINDS}
    true_took = {k: 0 for k in KINDS}
    true_done = {k: 0 for k in KINDS}
    for kind, outcome, _ in figures.outcomes:
        (true_done if outcome == "completed" else true_took)[kind] += 1
    taken_total = model.var("taken")
    completed_total = model.var("completed")
    model.rel({taken_total: 1, **{v: -1 for v in [*took.values(), *done.values()]}}, 0, 0)
    model.rel({completed_total: 1, **{v: -1 for v in done.values()}}, 0, 0)
    model.figure(taken_total, report.taken, sum(true_took.values()) + sum(true_done.values()))
    model.figure(completed_total, report.completed, sum(true_done.values()), any_value=True)
    listed: set[str] = set()
    for line in report.kinds:
        kinds = line.parts if line.key == OTHER else (line.key,)
        listed.update(kinds)
        taken = model.var(f"kind line {line.key} taken")
        completed = model.var(f"kind line {line.key} completed")
        model.rel({taken: 1, **{took[k]: -1 for k in kinds}, **{done[k]: -1 for k in kinds}}, 0, 0)
        model.rel({completed: 1, **{done[k]: -1 for k in kinds}}, 0, 0)
        model.figure(taken, line.taken, sum(true_took[k] + true_done[k] for k in kinds))
        model.figure(completed, line.completed, sum(true_done[k] for k in kinds))
    if report.kinds and all(line.key != OTHER or line.parts for line in report.kinds):
        for k in set(KINDS) - listed:  # a kind with no line had nobody taking it
            model.rel({took[k]: 1, done[k]: 1}, 0, 0)
    if report.regions:
        region_vars = []
        for line in report.regions:
            places = line.parts if line.key == OTHER else (line.key,)
            taken = model.var(f"region line {line.key} taken")
            completed = model.var(f"region line {line.key} completed")
            region_vars.append((taken, completed))
            true = [o for _, o, place in figures.outcomes if (place or NO_REGION) in places]
            model.figure(taken, line.taken, len(true))
            model.figure(completed, line.completed, true.count("completed"))
            model.rel({completed: 1, taken: -1}, -BIG, 0)
        model.rel({taken_total: 1, **{t: -1 for t, _ in region_vars}}, 0, 0)
        model.rel({completed_total: 1, **{c: -1 for _, c in region_vars}}, 0, 0)

    # Movement: who reached each stage in the window is among those at it or above now; who
    # moved up is among those past the first stage; reaching the top is moving up; the
    # 3 months are inside the 12; a stage reached only by outcomes had at least as many.
    windows = []
    for window in report.movement:
        moved = model.var(f"moved up in {window.months}")
        model.figure(moved, window.moved_up, truth_movement(facts, window.since)[0], True)
        model.rel({moved: 1, **{s: -1 for s in stage[1:]}}, -BIG, 0)
        reached = {}
        true_reached = truth_movement(facts, window.since)[1]
        for rank, line in enumerate(window.reached, start=1):
            v = model.var(f"reached {line.key} in {window.months}")
            reached[rank] = v
            model.figure(v, line.members, true_reached[rank], any_value=True)
            model.rel({v: 1, **{s: -1 for s in stage[rank:]}}, -BIG, 0)
            ways = STAGES.stages[rank].facts
            if ways and all(fact[0] == "outcome" for fact in ways):
                counts = {}
                for _, kind, outcome in ways:
                    key = (done if outcome == "completed" else took)[kind]
                    counts[key] = -1
                model.rel({v: 1, **counts}, -BIG, 0)
        model.rel({reached[TOP]: 1, moved: -1}, -BIG, 0)
        windows.append((moved, reached))
    (moved3, reached3), (moved12, reached12) = windows
    model.rel({moved3: 1, moved12: -1}, -BIG, 0)
    for rank in reached3:
        model.rel({reached3[rank]: 1, reached12[rank]: -1}, -BIG, 0)
    return model


def truth_movement(facts: Facts, since: datetime) -> tuple[int, dict[int, int]]:
    """Who moved up since ``since``, and who reached each stage since then (true values)."""
    start, end = to_db(since), to_db(NOW)
    moved = 0
    reached = {rank: 0 for rank in range(1, TOP + 1)}
    by_member: dict[int, list[tuple[int, str]]] = {}
    for member_id, rank, at in facts.facts:
        by_member.setdefault(member_id, []).append((rank, at))
    for ranks in by_member.values():
        within = [(r, at) for r, at in ranks if start < at <= end]
        before = max((r for r, at in ranks if at <= start), default=0)
        if within and max(r for r, _ in within) > before:
            moved += 1
        for r, _ in within:
            reached[r] += 1
    return moved, reached


def worked_out(model: Model) -> list[str]:
    """Every small or under-the-threshold count the report does not show that comes out
    exactly."""
    found = []
    for index, figure, truth in model.published:
        if figure.status == SHOWN:
            continue
        if not (1 <= truth <= 4 or figure.status == FEWER_THAN_THRESHOLD):
            continue
        low, high = model.bounds_of(index)
        if high - low < 0.5:
            found.append(f"{model.names[index]} = {truth}")
    return found


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(member, max_size=40))
def test_no_hidden_count_can_be_worked_out_from_the_rest_of_the_report(
    members: list[tuple[int, str, list[Deed]]],
) -> None:
    facts, figures = world(members)
    report = build_report(STAGES, facts, figures, FORUM, NOW, LONDON, THRESHOLD)
    model = attacker(report, facts, figures)
    assert worked_out(model) == []


def test_a_secondary_hidden_stage_is_not_given_away_by_the_movement() -> None:
    """A worked example (the report before this check gave it away): one member at "Took
    part", eight at the top stage who all got there last month. The stages hide the one and,
    to protect it, the eight; the movement said "Work or study: 8" in the last 3 and 12
    months, which fixed the top stage (everyone who reached it is at it now) and so the one."""
    job = ("job", "took_part", 30)
    members = [(400, "north_west", [job]) for _ in range(8)]
    members += [(400, "north_west", [("meeting", "took_part", 300)])]
    members += [(400, "north_west", []) for _ in range(11)]
    facts, figures = world(members)
    report = build_report(STAGES, facts, figures, FORUM, NOW, LONDON, THRESHOLD)
    assert worked_out(attacker(report, facts, figures)) == []

    messages = ProgressionMessages(load_texts(CONFIG_DIR / "texts"), LONDON, FORUM)
    text, table = messages.text(report), messages.csv(report).decode("utf-8-sig")
    assert "Took part: fewer than 5" in text
    assert "Work or study: 8" not in text
    assert "Work or study: hidden" in text
    assert "Work or study,8" not in table
    assert "Work or study,hidden" in table
