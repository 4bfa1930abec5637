"""Small groups are never shown on their own: the fold into "other areas".

Hiding counts of 1 to 4 is not enough when a group is so small that its zeros, or its total,
show what everyone in it answered (one member in an area: "No: fewer than 5" and 0 for every
other answer). So every report about people first decides which groups may be shown at all:

- a group (a region, a hub, a place) behind which fewer than ``threshold`` people stand is
  not shown on its own; it is put together with the other small ones as "other areas";
- when "other areas" is itself under the threshold it cannot be shown, and it must not be
  left to be worked out either (the whole minus the groups shown would give it away), so the
  smallest group shown joins it, and the next, until it reaches the threshold;
- when nothing is left to show on its own there is no breakdown at all.

So every group a report shows, or lets a reader work out by subtraction, has at least
``threshold`` people behind it. Only then are counts of 1 to 4 and the totals that would give
them away suppressed (`suppression.suppress`). A group with nobody at all behind any of its
figures (``empty``: every figure 0 and no one counted) tells nothing about anyone: it is left
as it is, neither folded nor counted.

The threshold is the ``SMALL_GROUP_THRESHOLD`` setting: 10 unless set, never below 5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass

SMALL_GROUP_DEFAULT = 10
SMALL_GROUP_MIN = 5  # below this the fold would not even cover the counts of 1 to 4


@dataclass(eq=False)
class SmallGroupRule:
    """What a service that publishes figures about people is given: the threshold, by keyword
    (default ``SMALL_GROUP_DEFAULT``), refused below ``SMALL_GROUP_MIN`` when it is built."""

    _: KW_ONLY
    small_group: int = SMALL_GROUP_DEFAULT

    def __post_init__(self) -> None:
        """Refuse a threshold that is not a whole number of at least SMALL_GROUP_MIN."""
        check_threshold(self.small_group)


@dataclass(frozen=True)
class Folding:
    """Which groups are shown on their own and which are put together as "other areas".

    ``shown`` and ``folded`` are positions in the sequence given, in its order. A group in
    neither is empty (nobody behind it). ``folded`` is empty when no group is small, or has
    at least the threshold behind it. When ``breakdown`` is False nothing may be shown by
    group: only the whole.
    """

    shown: tuple[int, ...]
    folded: tuple[int, ...]
    breakdown: bool = True


def check_threshold(threshold: int) -> int:
    """The threshold, refused below SMALL_GROUP_MIN."""
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise ValueError("the small-group threshold is a whole number")
    if threshold < SMALL_GROUP_MIN:
        raise ValueError(f"the small-group threshold cannot be below {SMALL_GROUP_MIN}")
    return threshold


def fold(sizes: Sequence[int], threshold: int, empty: Sequence[bool] | None = None) -> Folding:
    """Decide the fold for groups of these sizes (people behind each group's figures).

    Groups under the threshold are folded; while the fold is under the threshold the
    smallest group still shown (the first such, on a tie) joins it; with nothing left to
    show there is no breakdown."""
    check_threshold(threshold)
    blank = list(empty) if empty is not None else [False] * len(sizes)
    if len(blank) != len(sizes):
        raise ValueError("one empty flag per group")
    live = [i for i in range(len(sizes)) if not blank[i]]
    shown = [i for i in live if sizes[i] >= threshold]
    folded = [i for i in live if sizes[i] < threshold]
    if not folded:
        return Folding(tuple(shown), ())
    total = sum(sizes[i] for i in folded)
    while total < threshold and shown:
        smallest = min(shown, key=lambda i: (sizes[i], i))
        shown.remove(smallest)
        folded.append(smallest)
        total += sizes[smallest]
    if not shown:
        return Folding((), (), breakdown=False)
    return Folding(tuple(shown), tuple(sorted(folded)))
