"""How well the crisis net may do on messages nobody on the team wrote, estimated honestly on
the development part (config/crisis_examples.yaml) by grouped cross-validation: each writer (or
each source) in turn is held out, the learned signal is trained on everyone else's examples,
and the whole net (phrases, rules and that signal) is scored on the held-out messages.

    python -m tests.crisis.crossval                 figures, per writer and pooled (one
                                                    helper's voices are held out together:
                                                    W1 to W3 as W, W4 to W7 as X, W8 to
                                                    W11 as Y, W12 to W15 as Z, W16
                                                    and W17 as P, W18 and W19 as Q, W20
                                                    and W21 as R, W22 and W23 as S,
                                                    W24 and W25 as T, W26 and W27 as
                                                    U, W28 and W29 as V, W30 and W31
                                                    as H, W32 and W33 as J, W34 and
                                                    W35 as K, W36 and W37 as L, W38
                                                    and W39 as N, W40 and W41 as O,
                                                    W42 and W43 as I)
    python -m tests.crisis.crossval --by writer     every writer held out on their own
    python -m tests.crisis.crossval --by source     hold out sources (10 folds) instead
    python -m tests.crisis.crossval --misses        also list what the net missed or wrongly
                                                    answered in the held-out messages
    python -m tests.crisis.crossval --sweep         pooled figures for other thresholds

The phrases and rules were written by people who read every example, so the estimate is still
a little kind to them; the learned signal's part is honest. Tune against this, never against
the locked part."""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from bot.crisis import DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH, load_crisis_matcher
from bot.crisis.blended import BlendedSignal
from bot.crisis.context import fit_head
from bot.crisis.encoder import SentenceEncoder
from bot.crisis.evaluation import EXAMPLES_PATH, Labelled, Scores, summary
from bot.crisis.files import read_rules
from bot.crisis.framing import (
    framed_copies,
    framing_check,
    framing_sentences,
    with_framings,
)
from bot.crisis.kinds import CONCERN, CRISIS, NONE, verdict_of
from bot.crisis.learned import Example, LearnedSignal, label_of
from bot.crisis.learned import Scores as LearnedScores
from bot.crisis.matcher import CrisisMatcher, Hit, Learned, learned_hits
from config.yamlfile import read_yaml

SOURCE_FOLDS = 10
# The voices of one blind-writing helper, held out together: crisis_new's three, crisis_new2's
# four, crisis_new3's four, crisis_new4's four; crisis_new5's to crisis_new14's two each, and
# session 12's forum-business pairs two (W36, W37); session 14's three helpers two each (W38 to
# W43: two voices each, with crises, distress and everyday talk, some of it twins)
# (contrast pairs: each crisis message has an everyday twin in the same voice with the same
# striking words).
WRITER_FAMILIES = {
    **{f"W{n}": "W" for n in (1, 2, 3)},
    **{f"W{n}": "X" for n in (4, 5, 6, 7)},
    **{f"W{n}": "Y" for n in (8, 9, 10, 11)},
    **{f"W{n}": "Z" for n in (12, 13, 14, 15)},
    **{f"W{n}": "P" for n in (16, 17)},
    **{f"W{n}": "Q" for n in (18, 19)},
    **{f"W{n}": "R" for n in (20, 21)},
    **{f"W{n}": "S" for n in (22, 23)},
    **{f"W{n}": "T" for n in (24, 25)},
    **{f"W{n}": "U" for n in (26, 27)},
    **{f"W{n}": "V" for n in (28, 29)},
    **{f"W{n}": "H" for n in (30, 31)},
    **{f"W{n}": "J" for n in (32, 33)},
    **{f"W{n}": "K" for n in (34, 35)},
    **{f"W{n}": "L" for n in (36, 37)},
    **{f"W{n}": "N" for n in (38, 39)},
    **{f"W{n}": "O" for n in (40, 41)},
    **{f"W{n}": "I" for n in (42, 43)},
}


@dataclass(frozen=True, slots=True)
class Held:
    """One held-out message, what the phrases and rules found in it, and (when the learned
    signal may add to them) the scores of a signal trained without its group."""

    message: Labelled
    group: str
    listed: tuple[Hit, ...]
    room: str | None  # what the learned signal may add (CrisisMatcher.listed_hits)
    scores: LearnedScores | None


def load_examples() -> list[tuple[Labelled, str]]:
    """The development messages with their writers."""
    data = read_yaml(EXAMPLES_PATH)
    return [
        (
            Labelled(str(entry["text"]), entry["tier"], entry["kind"], entry["source"]),
            str(entry.get("writer", "?")),
        )
        for entry in data["messages"]
    ]


def groups_of(examples: Sequence[tuple[Labelled, str]], by: str) -> list[str]:
    """Each message's group: its writer (family: one helper's voices as one), or one of
    SOURCE_FOLDS folds of whole sources."""
    if by == "writer":
        return [writer for _, writer in examples]
    if by == "family":
        return [WRITER_FAMILIES.get(writer, writer.rstrip("0123456789")) for _, writer in examples]
    sources = sorted({message.source for message, _ in examples})
    random.Random(11).shuffle(sources)
    fold = {source: f"fold{index % SOURCE_FOLDS}" for index, source in enumerate(sources)}
    return [fold[message.source] for message, _ in examples]


class Remembered:
    """The sentence model with the development messages' readings made once, in batches (a
    fold's context head learns from them, and scoring reads them again in every fold)."""

    def __init__(self, encoder: SentenceEncoder, texts: Sequence[str]) -> None:
        """Read every text of one window now."""
        self._encoder = encoder
        short = sorted({text for text in texts if len(encoder.pieces(text)) == 1})
        self._known = dict(zip(short, encoder.first_windows(short), strict=True))

    def windows(self, text: str) -> np.ndarray:
        """The text's readings, as SentenceEncoder.windows gives them."""
        known = self._known.get(text)
        return known[None, :] if known is not None else self._encoder.windows(text)


def held_out(matcher: CrisisMatcher, by: str = "family") -> list[Held]:
    """Every development message scored by a net whose learned signal never saw its group
    (trained as the shipped one is: with framed copies, bot/crisis/framing.py, and with a
    context head of its own when the shipped signal has one, bot/crisis/blended.py).

    The fold's head learns from framed copies too, as the shipped one does, but from those of
    one shared pool (the copies the whole file would give) whose example and framing sentence
    are both outside the held-out group: reading each fold's own copies would take the
    sentence model half an hour more. The words signal gets each fold's own copies."""
    examples = load_examples()
    groups = groups_of(examples, by)
    families, _, guards = read_rules(DEFAULT_RULES_PATH)
    needs = matcher.learned.needs_one_of if matcher.learned else frozenset()
    says_nothing = framing_check(families, needs | guards)
    shipped = matcher.learned.signal if matcher.learned else None
    remembered = None
    everyone = [Example(message.text, message.tier, message.kind) for message, _ in examples]
    pool = framed_copies(everyone, framing_sentences(everyone, says_nothing))
    group_of = {message.text: group for (message, _), group in zip(examples, groups, strict=True)}
    if isinstance(shipped, BlendedSignal):
        texts = [message.text for message, _ in examples]
        heard = [matcher.listed_hits(text).heard for text in texts]
        framed = [copy.text for _, _, copy in pool]
        remembered = Remembered(shipped.encoder, texts + framed + [text for text in heard if text])
    held: list[Held] = []
    for group in sorted(set(groups)):
        training = [
            Example(message.text, message.tier, message.kind)
            for (message, _), other in zip(examples, groups, strict=True)
            if other != group
        ]
        signal: LearnedSignal | BlendedSignal = LearnedSignal(
            with_framings(training, framing_sentences(training, says_nothing))
        )
        if remembered is not None and isinstance(shipped, BlendedSignal):
            learns = training + [
                copy
                for index, framing, copy in pool
                if groups[index] != group and group_of.get(framing) != group
            ]
            head = fit_head(
                np.array([remembered.windows(example.text)[0] for example in learns]),
                [label_of(example) for example in learns],
                examples_digest="",
            )
            signal = BlendedSignal(signal, remembered, head, shipped.share)  # type: ignore[arg-type]
        # The fold's own signal, also where the phrases and rules ask it (after a story).
        fold = matcher.with_learned(
            replace(matcher.learned, signal=signal) if matcher.learned else None
        )
        for (message, _), other in zip(examples, groups, strict=True):
            if other != group:
                continue
            listed, room, heard = fold.listed_hits(message.text)
            scores = signal.scores(heard) if room is not None else None
            held.append(Held(message, group, tuple(listed), room, scores))
    return held


def score(held: Sequence[Held], learned: Learned | None) -> Scores:
    """The figures with these thresholds (the learned signal off when None)."""
    scores = Scores()
    for item in held:
        scores.add(item.message, verdict_of({hit.kind for hit in _hits(item, learned)}))
    return scores


def _hits(item: Held, learned: Learned | None) -> list[Hit]:
    """What the net found in a held-out message, with these thresholds."""
    found = list(item.listed)
    if learned is not None and item.scores is not None and item.room is not None:
        found.extend(learned_hits(learned, item.scores, found, item.room))
    return found


def _short(scores: Scores) -> dict[str, float]:
    """The headline figures."""
    figures = summary(scores)
    return {
        name: figures[name]
        for name in (
            "crisis_recall",
            "crisis_kind_accuracy",
            "concern_recall",
            "crisis_false_alarm_rate",
        )
    }


def main() -> None:
    """Print the cross-validated figures (and misses or a threshold sweep if asked)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--by", choices=("family", "writer", "source"), default="family")
    parser.add_argument("--misses", action="store_true", help="list held-out misses")
    parser.add_argument("--sweep", action="store_true", help="try other thresholds")
    args = parser.parse_args()
    matcher = load_crisis_matcher(DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH)
    learned = matcher.learned
    assert learned is not None, "the rules file has no 'learned:' section"
    held = held_out(matcher, args.by)
    by_group: dict[str, list[Held]] = defaultdict(list)
    for item in held:
        by_group[item.group].append(item)
    for group, items in sorted(by_group.items()):
        print(group, len(items), json.dumps(_short(score(items, learned))))
    print(json.dumps({"held_out_by": args.by, **summary(score(held, learned))}, indent=1))
    print("phrases and rules alone:", json.dumps(_short(score(held, None))))
    if args.sweep:
        for crisis_from in (0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85):
            for concern_from in (0.6, 0.7, 0.75, 0.8, 0.85, 0.9):
                tried = replace(learned, crisis_from=crisis_from, concern_from=concern_from)
                print(crisis_from, concern_from, json.dumps(_short(score(held, tried))))
        for anywhere in (0.8, 0.85, 0.9, 0.95, 0.98, 1.0):
            tried = replace(learned, crisis_anywhere_from=anywhere)
            print("anywhere", anywhere, json.dumps(_short(score(held, tried))))
    if args.misses:
        for item in held:
            message = item.message
            verdict = verdict_of({hit.kind for hit in _hits(item, learned)})
            if message.tier == CRISIS and (verdict is None or not verdict.is_crisis):
                got = verdict.tier if verdict else "-"
                print(f"MISS  {item.group:5} {message.kind:16} {got:8} {message.text!r}")
            elif message.tier == CONCERN and verdict is None:
                print(f"MISS  {item.group:5} {message.kind:16} -        {message.text!r}")
            elif message.tier == NONE and verdict is not None:
                names = [hit.name for hit in _hits(item, learned)]
                print(f"ALARM {item.group:5} {message.kind:16} {names} {message.text!r}")


if __name__ == "__main__":
    main()
