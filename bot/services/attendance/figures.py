"""Attendance figures for coordinators: one past meeting, or a summary over a period.

Figures are counts only (no names, no Telegram ids). First the small-group rule
(`bot.results.small_groups`): a place with fewer than the threshold (SMALL_GROUP_THRESHOLD, 10)
people behind its line is not shown on its own but put together with others as "other places",
which is only shown with at least the threshold behind it; with fewer than the threshold in all
the counts read "fewer than 10" and there is no breakdown. Who stands behind a line: for one
meeting, the people from there who came (how many were invited from each place is not known, so
a place where fewer came is folded, even with none); for a period, the members there now. Then
every count about people goes through `bot.results.breakdown` (the consultation results'
suppression, adapted): 1 to 4 reads "fewer than 5", and figures that would let someone work a
small one out are hidden. How many meetings were held is not about people and is shown as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from bot.forum import Forum
from bot.results.breakdown import few, protect_breakdown, protect_count
from bot.results.small_groups import SMALL_GROUP_DEFAULT, Folding, fold
from bot.results.suppression import HIDDEN, Figure
from storage.attendance import (
    MeetingFigures,
    PastMeeting,
    PeriodFigures,
    Place,
)

BY_REGION, BY_HUB = "region", "hub"
# What a line of a breakdown stands for. OTHERS: small places put together ("other places").
REGION, HUB, NO_HUB, NO_REGION, ELSEWHERE = "region", "hub", "no_hub", "no_region", "elsewhere"
OTHERS = "others"

AreaKey = tuple[str, str]


@dataclass(frozen=True)
class PlaceFigure:
    """How many came from one place: a region or hub (by id), a region's members with no hub
    yet (the region's id), members with no region, or anyone from outside the meeting's
    region."""

    kind: str
    place_id: str
    came: Figure
    parts: tuple[AreaKey, ...] = ()  # OTHERS: the places put together


@dataclass(frozen=True)
class MeetingReport:
    """One past meeting: invited, said going and came (None: not marked yet), with who came by
    region (a meeting for everyone) or by hub (a meeting for a region or a hub)."""

    meeting: PastMeeting
    by: str
    invited: Figure
    going: Figure
    came: Figure | None
    places: tuple[PlaceFigure, ...]
    threshold: int = SMALL_GROUP_DEFAULT


@dataclass(frozen=True)
class AreaFigures:
    """A region, hub or no-place group over a period: attendances, and its members now."""

    kind: str
    place_id: str
    attendances: Figure
    members: Figure
    parts: tuple[AreaKey, ...] = ()  # OTHERS: the places put together


@dataclass(frozen=True)
class RegionFigures:
    """A region's figures with its hubs (then 'no hub yet'); or the 'no region' group."""

    area: AreaFigures
    hubs: tuple[AreaFigures, ...]


@dataclass(frozen=True)
class PeriodReport:
    """Meetings that started in a period: how many, how many times people came, how many
    different members came, and attendances by region and hub against members now."""

    months: int
    since: datetime
    until: datetime
    meetings_held: int
    meetings_saved: int
    attendances: Figure
    people: Figure
    members: Figure
    regions: tuple[RegionFigures, ...]
    threshold: int = SMALL_GROUP_DEFAULT


def months_before(moment: datetime, months: int, zone: ZoneInfo) -> datetime:
    """The same local clock time ``months`` calendar months earlier (the day kept, or the
    month's last day when it is shorter), in UTC."""
    local = moment.astimezone(zone)
    index = local.year * 12 + (local.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    day = local.day
    while True:
        try:
            earlier = local.replace(year=year, month=month, day=day, fold=0)
            break
        except ValueError:
            day -= 1
    return earlier.astimezone(moment.tzinfo)


# --- pure builders (plain values in and out; the property tests call these) ----------------


def build_meeting_report(
    figures: MeetingFigures, forum: Forum, threshold: int = SMALL_GROUP_DEFAULT
) -> MeetingReport:
    """Protect one meeting's figures: who came by region (meeting for everyone) or by the
    hubs of the meeting's region (a meeting for a region or a hub).

    Fewer than ``threshold`` invited: said going and came read "fewer than <threshold>", with
    no breakdown. Otherwise a place where fewer than ``threshold`` came is put together with
    others (`fold`); the lines left go through the small-count suppression."""
    meeting = figures.meeting
    region = _meeting_region(meeting, forum)
    groups: list[AreaKey] = []
    if region is None:
        by = BY_REGION
        groups = [(REGION, r.id) for r in forum.regions] + [(NO_REGION, "")]
    else:
        by = BY_HUB
        region_hubs = forum.region(region)
        assert region_hubs is not None
        groups = [(HUB, h.id) for h in region_hubs.hubs] + [(NO_HUB, region), (ELSEWHERE, "")]
    small = 0 < figures.invited < threshold
    invited = protect_count(figures.invited)
    going = few(figures.going, threshold) if small else protect_count(figures.going)
    if not meeting.saved:
        return MeetingReport(meeting, by, invited, going, None, (), threshold)
    counts = [0] * len(groups)
    index = {group: i for i, group in enumerate(groups)}
    for place, n in figures.came.items():
        counts[index[_meeting_group(place, region, forum)]] += n
    if small:
        came = few(sum(counts), threshold)
        return MeetingReport(meeting, by, invited, going, came, (), threshold)
    folding = fold(counts, threshold)
    if not folding.breakdown:
        came = protect_count(sum(counts))
        return MeetingReport(meeting, by, invited, going, came, (), threshold)
    lines = _folded_lines(groups, counts, folding)
    safe = protect_breakdown([[n] for _, n, _ in lines])
    places = tuple(
        PlaceFigure(*key, figure, parts)
        for (key, _, parts), figure in zip(lines, safe.groups, strict=True)
    )
    return MeetingReport(meeting, by, invited, going, safe.total, places, threshold)


def _folded_lines(
    keys: Sequence[AreaKey], sizes: Sequence[int], folding: Folding, owner: str = ""
) -> list[tuple[AreaKey, int, tuple[AreaKey, ...]]]:
    """The lines a folding leaves, in the order given, "other places" last: (key, value,
    parts). Empty ones (in neither list) stay where they are."""
    folded = set(folding.folded)
    lines = [(keys[i], sizes[i], ()) for i in range(len(keys)) if i not in folded]
    if folding.folded:
        parts = tuple(keys[i] for i in folding.folded)
        lines.append(((OTHERS, owner), sum(sizes[i] for i in folding.folded), parts))
    return lines


def build_period_report(
    figures: PeriodFigures,
    members: dict[Place, int],
    forum: Forum,
    months: int,
    since: datetime,
    until: datetime,
    threshold: int = SMALL_GROUP_DEFAULT,
) -> PeriodReport:
    """Protect a period's attendances and members now, each by region and hub.

    Who stands behind a line is the members there now. With fewer than ``threshold`` members
    in all, the counts read "fewer than <threshold>" (times people came: "hidden") with no
    breakdown. Otherwise regions, then each region's hubs, under the threshold are put
    together (`fold`); a line with nobody behind it (no members, nobody came) is left as it
    is. The lines left go through the small-count suppression."""
    layout: list[tuple[AreaKey, list[AreaKey]]] = [
        ((REGION, r.id), [*((HUB, h.id) for h in r.hubs), (NO_HUB, r.id)]) for r in forum.regions
    ]
    layout.append(((NO_REGION, ""), [(NO_REGION, "")]))
    attended = _grid(layout, figures.attendances, forum)
    present = _grid(layout, members, forum)
    whole = sum(map(sum, present))
    report = partial(
        PeriodReport,
        months=months,
        since=since,
        until=until,
        meetings_held=figures.meetings_held,
        meetings_saved=figures.meetings_saved,
        threshold=threshold,
    )
    if 0 < whole < threshold:
        return report(
            attendances=Figure(None, HIDDEN),
            people=few(figures.people, threshold),
            members=few(whole, threshold),
            regions=(),
        )
    empty = [
        [a == m == 0 for a, m in zip(att, mem, strict=True)]
        for att, mem in zip(attended, present, strict=True)
    ]
    regions_fold = fold([sum(row) for row in present], threshold, [all(row) for row in empty])
    if not regions_fold.breakdown:
        return report(
            attendances=protect_count(sum(map(sum, attended))),
            people=protect_count(figures.people),
            members=protect_count(whole),
            regions=(),
        )
    # The lines shown: (group key, group parts), each part (key, attendances, members, parts).
    lines: list[tuple[AreaKey, tuple[AreaKey, ...], list[tuple[AreaKey, int, int, tuple]]]] = []
    folded = set(regions_fold.folded)
    for g, (group, parts) in enumerate(layout):
        if g in folded:
            continue
        hubs_fold = fold(present[g], threshold, empty[g])
        if group[0] != REGION or not hubs_fold.breakdown:
            whole_group = [(group, sum(attended[g]), sum(present[g]), ())]
            lines.append((group, (), whole_group))
            continue
        came = _folded_lines(parts, attended[g], hubs_fold, group[1])
        now = _folded_lines(parts, present[g], hubs_fold, group[1])
        lines.append(
            (group, (), [(key, a, m, p) for (key, a, p), (_, m, _) in zip(came, now, strict=True)])
        )
    if regions_fold.folded:
        keys = tuple(layout[g][0] for g in regions_fold.folded)
        a = sum(sum(attended[g]) for g in regions_fold.folded)
        m = sum(sum(present[g]) for g in regions_fold.folded)
        lines.append(((OTHERS, ""), keys, [((OTHERS, ""), a, m, keys)]))
    safe_came = protect_breakdown([[a for _, a, _, _ in parts] for _, _, parts in lines])
    safe_now = protect_breakdown([[m for _, _, m, _ in parts] for _, _, parts in lines])
    regions = []
    for g, (group, group_parts, parts) in enumerate(lines):
        area = AreaFigures(*group, safe_came.groups[g], safe_now.groups[g], group_parts)
        hubs = tuple(
            AreaFigures(*key, safe_came.parts[g][p], safe_now.parts[g][p], sub_parts)
            for p, (key, _, _, sub_parts) in enumerate(parts)
        )
        shows_hubs = group[0] == REGION and parts[0][0] != group
        regions.append(RegionFigures(area, hubs if shows_hubs else ()))
    return report(
        attendances=safe_came.total,
        people=protect_count(figures.people),
        members=safe_now.total,
        regions=tuple(regions),
    )


def _grid(
    layout: Sequence[tuple[AreaKey, list[AreaKey]]], counts: dict[Place, int], forum: Forum
) -> list[list[int]]:
    """Counts by place summed into the layout's parts."""
    where = {part: (g, p) for g, (_, parts) in enumerate(layout) for p, part in enumerate(parts)}
    grid = [[0] * len(parts) for _, parts in layout]
    for place, n in counts.items():
        g, p = where[_period_part(place, forum)]
        grid[g][p] += n
    return grid


def _meeting_region(meeting: PastMeeting, forum: Forum) -> str | None:
    """The region a meeting was for, or None for a meeting for everyone (or a place the forum
    file no longer has)."""
    if meeting.audience_scope == "region" and forum.region(meeting.audience_place):
        return meeting.audience_place
    if meeting.audience_scope == "hub":
        hub = forum.hub(meeting.audience_place)
        return hub.region_id if hub else None
    return None


def _meeting_group(place: Place, region: str | None, forum: Forum) -> AreaKey:
    """Which line of a meeting's breakdown a (region, hub) belongs to."""
    region_id, hub_id = place
    if region is None:
        return (REGION, region_id) if forum.region(region_id) else (NO_REGION, "")
    if region_id != region:
        return (ELSEWHERE, "")
    hub = forum.hub(hub_id)
    return (HUB, hub_id) if hub and hub.region_id == region else (NO_HUB, region)


def _period_part(place: Place, forum: Forum) -> AreaKey:
    """Which hub line of the period summary a (region, hub) belongs to."""
    region_id, hub_id = place
    if not forum.region(region_id):
        return (NO_REGION, "")
    hub = forum.hub(hub_id)
    return (HUB, hub_id) if hub and hub.region_id == region_id else (NO_HUB, region_id)
