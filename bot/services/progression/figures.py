"""The progression report's figures, pure: stages from recorded facts, movement over a period,
opportunities by kind and region, the forum's targets; every count about people protected.

A member's stage is the highest stage any of their recorded facts reaches (joining reaches the
first); each stage is reached on the date of its earliest fact. Nothing is guessed: interest in
an opportunity, or a place offered, counts for nothing until an outcome is recorded.

The small-numbers rule is the one every report uses (`bot.results`): fewer than the
small-group threshold in all and counts read "fewer than 10" with no breakdown; groups (kinds,
regions) with fewer than the threshold behind them are put together ("other"); then
`breakdown.protect_breakdown` turns 1 to 4 into "fewer than 5" and hides whatever would let one
be worked out from a total. How many opportunities were offered is not about people and is
shown as it is. The region table is only shown when it and the kind table show the same totals
taken and completed, so the two tables cannot be set against each other.

Every figure of the report is checked together (tests/progression/test_report_together.py).
Who reached a stage in the last 3 or 12 months are among the members at that stage or above
now, and who moved up among those past the first; a stage reached only through opportunities
was reached by no more people than the outcomes the kind table counts. So a movement figure
is only shown when the figures it could be set against are all shown (the members at that
stage and above are then known exactly, and so are the kind lines): else it is hidden, as
secondary suppression hides a second cell, and it cannot narrow a hidden one. When the forum
is under the small-group threshold, the opportunities' counts of people read "fewer than
10" too (their 0 would say what everyone in it did).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from zoneinfo import ZoneInfo

from bot.forum import Forum
from bot.results.breakdown import few, protect_breakdown, protect_count
from bot.results.small_groups import SMALL_GROUP_DEFAULT, fold
from bot.results.suppression import HIDDEN, SHOWN, Figure
from bot.services.attendance.figures import months_before
from bot.services.progression.stages import KINDS, Stages
from bot.services.progression.together import checked_together
from storage.progression import Facts, OpportunityFigures
from storage.timefmt import to_db

WINDOWS = (3, 12)  # months of movement shown
OTHER = "*other"  # kinds or regions put together
NO_REGION = ""  # members with no region / opportunities for everyone


@dataclass(frozen=True)
class StageLine:
    """How many members are at one stage now."""

    key: str
    name: str
    members: Figure


@dataclass(frozen=True)
class Reached:
    """Members who reached a stage within a window, and the median days from joining."""

    key: str
    name: str
    members: Figure
    median_days: int | None  # only with at least the threshold behind it


@dataclass(frozen=True)
class Movement:
    """A window of ``months``: how many moved up at least one stage, and each stage reached."""

    months: int
    since: datetime
    moved_up: Figure
    reached: tuple[Reached, ...]


@dataclass(frozen=True)
class OpportunityLine:
    """Offered (opportunities, not people), taken (took part or completed) and completed, for a
    kind or a region; ``parts``: what an "other" line puts together."""

    key: str
    offered: int
    taken: Figure
    completed: Figure
    parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class HubTarget:
    """A region's hubs in the forum file against the target per region."""

    region_id: str
    hubs: int
    target: int


@dataclass(frozen=True)
class ProgressionReport:
    """Everything /progression shows; every count about people already protected."""

    now: datetime
    months: int  # the period opportunities are counted over
    members: Figure
    target_members: int
    stages: tuple[StageLine, ...]
    movement: tuple[Movement, ...]
    offered: int
    offered_everyone: int  # of those, offered to the whole forum (in no region's line)
    taken: Figure
    completed: Figure
    kinds: tuple[OpportunityLine, ...]
    regions: tuple[OpportunityLine, ...]
    hubs: tuple[HubTarget, ...]
    threshold: int = SMALL_GROUP_DEFAULT


def member_stages(stages: Stages, facts: Facts) -> dict[int, dict[int, str]]:
    """For each member: each stage reached (by position) with the time first reached, as the
    database's UTC ISO text (which sorts as time does). Facts of people no longer members are
    left out."""
    reached = {member_id: {0: joined} for member_id, (joined, _) in facts.members.items()}
    last = len(stages.stages)
    for member_id, rank, when in facts.facts:
        mine = reached.get(member_id)
        if mine is None or not 0 < rank < last:
            continue
        if rank not in mine or when < mine[rank]:
            mine[rank] = when
    return reached


def stage_at(reached: dict[int, str], moment: str) -> int:
    """The highest stage reached by ``moment`` (UTC ISO text); -1 when not yet joined then."""
    return max((rank for rank, when in reached.items() if when <= moment), default=-1)


def build_report(
    stages: Stages,
    facts: Facts,
    opportunities: OpportunityFigures,
    forum: Forum,
    now: datetime,
    zone: ZoneInfo,
    threshold: int = SMALL_GROUP_DEFAULT,
    months: int = 12,
) -> ProgressionReport:
    """The whole report, protected."""
    counts, tally = _tally(stages, facts, now, zone)
    total = len(facts.members)
    small = 0 < total < threshold
    if small:
        members = few(total, threshold)
        stage_figures = [few(n, threshold) for n in counts]
    else:
        safe = protect_breakdown([[n] for n in counts])
        members, stage_figures = safe.total, list(safe.groups)
    lines = tuple(
        StageLine(stage.key, stage.name, figure)
        for stage, figure in zip(stages.stages, stage_figures, strict=True)
    )
    offered_total, taken, completed, kinds, regions = _opportunities(
        opportunities, forum, threshold, small
    )
    movement = _movement(stages, tally, threshold, small)
    if not small:
        movement = checked_together(stages, movement, members, lines, kinds, taken, completed)
    everyone = sum(n for (_, place), n in opportunities.offered.items() if not place)
    hubs = tuple(
        HubTarget(region.id, len(region.hubs), forum.target_hubs_per_region)
        for region in forum.regions
    )
    return ProgressionReport(
        now=now,
        months=months,
        members=members,
        target_members=forum.target_members,
        stages=lines,
        movement=movement,
        offered=offered_total,
        offered_everyone=everyone,
        taken=taken,
        completed=completed,
        kinds=kinds,
        regions=regions,
        hubs=hubs,
        threshold=threshold,
    )


@dataclass
class _Tally:
    """What one pass over the members counts for each window of WINDOWS months."""

    sinces: list[datetime]
    moved: list[int]
    days: list[list[list[int]]]  # [window][stage]: days from joining, for each who reached it


def _tally(stages: Stages, facts: Facts, now: datetime, zone: ZoneInfo) -> tuple[list[int], _Tally]:
    """One pass over the facts (sorted by member, then stage): members at each stage now, and
    for each window who moved up at least one stage in it (joining alone is not moving up) and
    how many days from joining each took to reach each stage reached in it (by the UTC
    calendar day). Members with no fact are at the first stage; facts of people no longer
    members are left out."""
    end = to_db(now)
    sinces = [months_before(now, months, zone) for months in WINDOWS]
    starts = [to_db(since) for since in sinces]
    earliest = min(starts)  # type: ignore[type-var]
    last = len(stages.stages)
    counts = [0] * last
    tally = _Tally(sinces, [0] * len(WINDOWS), [[[] for _ in range(last)] for _ in WINDOWS])
    members = facts.members
    with_facts = 0
    windows = list(enumerate(starts))
    for member_id, rows in groupby(facts.facts, key=itemgetter(0)):
        place = members.get(member_id)
        if place is None:
            continue
        ranks = [(rank, when) for _, rank, when in rows if 0 < rank < last]  # by stage
        if not ranks:
            continue
        with_facts += 1
        counts[ranks[-1][0]] += 1
        recent = [item for item in ranks if earliest < item[1] <= end]  # type: ignore[operator]
        if not recent:
            continue
        joined = _day_number(place[0])
        for w, start in windows:
            within = [item for item in recent if item[1] > start]  # type: ignore[operator]
            if not within:
                continue
            before = 0
            for rank, when in ranks:
                if when <= start and rank > before:  # type: ignore[operator]
                    before = rank
            if within[-1][0] > before:
                tally.moved[w] += 1
            days = tally.days[w]
            for rank, when in within:
                days[rank].append(max(_day_number(when) - joined, 0))
    counts[0] = len(members) - with_facts
    return counts, tally


def _movement(stages: Stages, tally: _Tally, threshold: int, small: bool) -> tuple[Movement, ...]:
    """The movement figures for each window, protected; a median only with at least the
    threshold behind it."""
    moved, days, sinces = tally.moved, tally.days, tally.sinces
    windows = []
    for w, months in enumerate(WINDOWS):
        reached_lines = []
        for rank, stage in enumerate(stages.stages):
            if rank == 0:
                continue
            n = len(days[w][rank])
            figure = few(n, threshold) if small else protect_count(n)
            median = None
            if n >= threshold and figure.status == SHOWN:
                median = round(statistics.median(days[w][rank]))
            reached_lines.append(Reached(stage.key, stage.name, figure, median))
        moved_up = few(moved[w], threshold) if small else protect_count(moved[w])
        windows.append(Movement(months, sinces[w], moved_up, tuple(reached_lines)))
    return tuple(windows)


@lru_cache(maxsize=4096)
def _day_number(when: str) -> int:
    """The UTC calendar day of a stored time, as a day number."""
    return date.fromisoformat(when[:10]).toordinal()


def _opportunities(
    figures: OpportunityFigures, forum: Forum, threshold: int, small: bool = False
) -> tuple[int, Figure, Figure, tuple[OpportunityLine, ...], tuple[OpportunityLine, ...]]:
    """Offered, taken and completed: totals, by kind and by region (see the module's note);
    ``small``: the forum is under the threshold, so no count of people is shown."""
    region_of_place = {region.id: region.id for region in forum.regions}
    for region in forum.regions:
        for hub in region.hubs:
            region_of_place[f"hub:{hub.id}"] = region.id
    offered_kind = dict.fromkeys(KINDS, 0)
    offered_region = {key: 0 for key in [*(r.id for r in forum.regions), NO_REGION]}
    for (kind, place), n in figures.offered.items():
        offered_kind[kind] = offered_kind.get(kind, 0) + n
        if place in region_of_place:  # for everyone: said on its own line
            offered_region[region_of_place[place]] += n
    kind_keys = list(offered_kind)
    region_keys = list(offered_region)
    by_kind = {key: [0, 0] for key in kind_keys}  # [took part (not completed), completed]
    by_region = {key: [0, 0] for key in region_keys}
    for kind, outcome, region in figures.outcomes:
        column = 1 if outcome == "completed" else 0
        by_kind.setdefault(kind, [0, 0])[column] += 1
        by_region[region if region in by_region else NO_REGION][column] += 1
    offered_total = sum(offered_kind.values())
    taken_total = sum(sum(pair) for pair in by_kind.values())
    completed_total = sum(pair[1] for pair in by_kind.values())
    if small or 0 < taken_total < threshold:
        kinds = tuple(
            OpportunityLine(
                key,
                offered_kind[key],
                few(sum(by_kind[key]), threshold),
                few(by_kind[key][1], threshold),
            )
            for key in kind_keys
        )
        return (
            offered_total,
            few(taken_total, threshold),
            few(completed_total, threshold),
            kinds,
            (),
        )
    kinds, taken, completed = _protected_lines(kind_keys, by_kind, offered_kind, threshold)
    regions, region_taken, region_completed = _protected_lines(
        region_keys, by_region, offered_region, threshold
    )
    agreed = (region_taken, region_completed) == (taken, completed)
    if not agreed or taken.status != SHOWN or completed.status != SHOWN:
        # Set side by side, the two tables could give away what one of them hides: the
        # region table is only shown when both show the same totals, every completed figure
        # shown in each (so neither tells more than the other already does).
        regions = ()
    return offered_total, taken, completed, kinds, regions


def _protected_lines(
    keys: Sequence[str],
    pairs: dict[str, list[int]],
    offered: dict[str, int],
    threshold: int,
) -> tuple[tuple[OpportunityLine, ...], Figure, Figure]:
    """Lines for groups (kinds or regions): groups with fewer than the threshold taken are put
    together as OTHER (`fold`); then taken (the group), took part and completed (its parts)
    are protected together. Returns the lines, the total taken and the total completed."""
    sizes = [sum(pairs[key]) for key in keys]
    folding = fold(sizes, threshold, [n == 0 for n in sizes])
    whole = [sum(pair[0] for pair in pairs.values()), sum(pair[1] for pair in pairs.values())]
    if not folding.breakdown:
        safe = protect_breakdown([whole])
        return (), safe.total, safe.parts[0][1]
    shown = [i for i in range(len(keys)) if i not in set(folding.folded)]
    groups = [(keys[i], pairs[keys[i]], offered[keys[i]], ()) for i in shown]
    if folding.folded:
        parts = tuple(keys[i] for i in folding.folded)
        other = [sum(pairs[keys[i]][c] for i in folding.folded) for c in (0, 1)]
        groups.append((OTHER, other, sum(offered[keys[i]] for i in folding.folded), parts))
    safe = protect_breakdown([pair for _, pair, _, _ in groups])
    lines = tuple(
        OpportunityLine(key, n_offered, safe.groups[g], safe.parts[g][1], parts)
        for g, (key, _, n_offered, parts) in enumerate(groups)
    )
    # The total completed is the sum of the completed column: protected with it only when
    # every line's completed figure is shown; else it is hidden (it would give one away).
    completed_cells = [line.completed for line in lines]
    if all(cell.status == SHOWN for cell in completed_cells):
        completed = protect_count(whole[1])
    else:
        completed = Figure(None, HIDDEN)
    return lines, safe.total, completed
