"""What a survey's published figures could give away together, beyond each count on its own
(`results.py` uses these to withhold or hold back what would).

- `tick_pinned`: a several-choices question's "fewer than 5" that follows from everyone who
  answered having ticked at least one option (suppression alone does not know that).
- `splits_small_group`: how many answered a question asked only after a skip rule tells how
  many the rule held for; for a number question that can split a band, and for several
  choices it can tell how many ticked each mix of options.
- `median_if_fixed`: a median is shown only when the published counts already fix which value
  or band it falls in, so it says nothing about a hidden count.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from bot.results.suppression import FEWER_THAN_5, SHOWN, SMALL, Figure, SafeResults
from bot.services.surveys.definition import CHOICES, NUMBER, SKIPPED, Answer, Condition, Question
from bot.services.surveys.flow import holds
from bot.services.surveys.table import band_of, number_bands

MEDIAN_SEARCH_LIMIT = 200_000  # count patterns tried before a median is left out (safe side)
Responses = Sequence[Mapping[str, Answer]]


def tick_pinned(figures: SafeResults, answered: int) -> bool:
    """Whether a "fewer than 5" count of a several-choices question can be worked out from
    the fact that everyone who answered ticked at least one option (suppression alone does
    not know it): the counts must add up to at least those who answered, so with the others
    at their largest, a small count may have to be 4."""
    most = [
        f.value
        if f.status == SHOWN and f.value is not None
        else (max(SMALL) if f.status == FEWER_THAN_5 else answered)
        for f in figures.counts
    ]
    return any(
        f.status == FEWER_THAN_5 and answered - (sum(most) - most[i]) >= max(SMALL)
        for i, f in enumerate(figures.counts)
    )


def splits_small_group(
    condition: Question, rules: Sequence[Condition], responses: Responses
) -> bool:
    """Whether publishing how many answered the questions asked after these skip rules on one
    question would single out a group of 1 to 4 its own published counts do not show.

    Who answered a question asked only after a rule holds is (about) how many the rule held
    for. For a choice or scale question that is a sum of its published counts: nothing new.
    For a number, a rule that cuts a band splits it: neither part may be 1 to 4. For several
    choices, a rule naming two or more options tells, with the counts, how many ticked each
    mix of them: no mix may be 1 to 4."""
    given = [a[condition.id] for a in responses if a.get(condition.id, SKIPPED) is not SKIPPED]
    if condition.kind == NUMBER:
        bands = number_bands(condition)
        numbers = [v for v in given if not isinstance(v, bool) and isinstance(v, int | float)]
        whole = Counter(band_of(bands, v) for v in numbers)
        parts = Counter(
            (band_of(bands, v), *(holds(rule, {condition.id: v}) for rule in rules))
            for v in numbers
        )
        return any(n in SMALL and n != whole[key[0]] for key, n in parts.items())
    if condition.kind == CHOICES:
        named = sorted({o for rule in rules if len(rule.any_of) > 1 for o in rule.any_of})
        if not named:
            return False  # a rule on one option: that option's own count
        ticks = [v for v in given if isinstance(v, tuple | list)]
        mixes = Counter(tuple(option in chosen for option in named) for chosen in ticks)
        return any(n in SMALL for n in mixes.values())
    return False


def median_if_fixed(
    figures: SafeResults, counts: Sequence[int], values: Sequence[float]
) -> float | None:
    """The median of the answers, when the published counts alone already fix which value or
    band it falls in (then showing it tells nothing about a hidden count)."""
    if figures.withheld or figures.answered.status != SHOWN or not values:
        return None
    total = figures.answered.value
    if total != len(values):
        return None
    true = _middle_positions(counts, total)
    if all(f.status == SHOWN for f in figures.counts):
        return float(statistics.median(values))
    choices = [_possible(f, total) for f in figures.counts]
    seen: set[tuple[int, int]] = set()
    for tried, pattern in enumerate(_patterns(choices, total)):
        if tried >= MEDIAN_SEARCH_LIMIT:
            return None
        seen.add(_middle_positions(pattern, total))
        if len(seen) > 1:
            return None
    return float(statistics.median(values)) if seen == {true} else None


def _possible(figure: Figure, total: int) -> tuple[int, ...]:
    """What a reader knows a figure could be."""
    if figure.status == SHOWN and figure.value is not None:
        return (figure.value,)
    if figure.status == FEWER_THAN_5:
        return tuple(SMALL)
    return (0, *range(5, total + 1))


def _patterns(choices: Sequence[tuple[int, ...]], total: int) -> Iterable[list[int]]:
    """Every list of counts, one from each choice, adding up to total."""
    least = [min(c) for c in choices]
    most = [max(c) for c in choices]
    after_least = [sum(least[i + 1 :]) for i in range(len(choices))]
    after_most = [sum(most[i + 1 :]) for i in range(len(choices))]

    def walk(i: int, left: int, chosen: list[int]) -> Iterable[list[int]]:
        if i == len(choices):
            if left == 0:
                yield list(chosen)
            return
        for value in choices[i]:
            rest = left - value
            if after_least[i] <= rest <= after_most[i]:
                chosen.append(value)
                yield from walk(i + 1, rest, chosen)
                chosen.pop()

    yield from walk(0, total, [])


def _middle_positions(counts: Sequence[int], total: int) -> tuple[int, int]:
    """Which value (or band) the two middle answers fall in, given the counts."""
    lower, upper = (total - 1) // 2, total // 2
    found = []
    for target in (lower, upper):
        running = 0
        for position, count in enumerate(counts):
            running += count
            if target < running:
                found.append(position)
                break
    return (found[0], found[1]) if len(found) == 2 else (-1, -1)
