"""Reading the learned signal's part of the rules file ('learned:') and the examples file it
names (config/crisis_examples.yaml) strictly, and training the signal on those examples."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from bot.crisis.blended import BlendedSignal
from bot.crisis.context import ContextHead
from bot.crisis.encoder import shared_encoder
from bot.crisis.families import Family
from bot.crisis.file_checks import at, family_set, unknown
from bot.crisis.framing import framing_check, framing_sentences, with_framings
from bot.crisis.kinds import CONCERN, CRISIS, CRISIS_KINDS, DISTRESS, NONE
from bot.crisis.learned import Example, LearnedCheck, trained_signal
from bot.crisis.matcher import Learned
from bot.crisis.rules_file import LEARNED, rules_in
from config.errors import ConfigError
from config.yamlfile import line_of, read_yaml

CONTEXT_HEAD = "context_head"
CONTEXT_SHARE = "context_share"
TRAIN_CONTEXT = "`python -m bot.crisis.train_context`"
_log = logging.getLogger(__name__)


def digest(contents: bytes) -> str:
    """A digest of a file's contents alone (the same examples anywhere train the same signal)."""
    return hashlib.sha256(contents).hexdigest()


def read_learned(rules_path: Path) -> Learned | None:
    """The learned signal the rules file's 'learned:' section asks for, trained on its
    examples file (next to the rules file), or None if there is no such section."""
    data = read_yaml(rules_path)
    families, _, guards = rules_in(rules_path, data)
    trained = learned_in(rules_path, data, families, guards)
    return None if trained is None else trained[0]


def learned_in(
    rules_path: Path,
    data: object,
    families: Sequence[Family],
    guards: frozenset[str],
) -> tuple[Learned, Path, str] | None:
    """The learned signal the rules file's contents ask for, with the examples file it was
    trained on and a digest of that file's contents; None without a 'learned:' section. The
    families (read from the same contents) choose the framing sentences it is also trained
    with (bot/crisis/framing.py): everyday ones with no word of those it needs, nor of the
    guards (a story told)."""
    source = str(rules_path)
    section = data.get(LEARNED) if isinstance(data, dict) else None
    if section is None:
        return None
    where = at(data, LEARNED)
    fields = {"examples", "crisis_from", "concern_from"}
    optional = {"needs_one_of", "crisis_anywhere_from", CONTEXT_HEAD, CONTEXT_SHARE}
    if not isinstance(section, dict) or not fields <= set(section) <= fields | optional:
        raise ConfigError(
            source,
            f"'{LEARNED}:' needs examples (a file name), crisis_from and concern_from (numbers "
            "between 0 and 1), and may have needs_one_of (a list of families), "
            f"crisis_anywhere_from (a number between 0 and 1), and {CONTEXT_HEAD} (a file "
            f"name) with {CONTEXT_SHARE} (a number between 0 and 1)",
            where,
        )
    if (CONTEXT_HEAD in section) != (CONTEXT_SHARE in section):
        raise ConfigError(source, f"'{CONTEXT_HEAD}:' and '{CONTEXT_SHARE}:' go together", where)
    thresholds = []
    for field in ("crisis_from", "concern_from", "crisis_anywhere_from", CONTEXT_SHARE):
        if field not in section:
            thresholds.append(1.0)
            continue
        value = section[field]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
            raise ConfigError(
                source, f"'{field}:' must be a number between 0 and 1, like 0.75", where
            )
        thresholds.append(float(value))
    names = {str(name) for name in data.get("families") or {}}
    needs = family_set(source, section.get("needs_one_of") or [], names, where)
    examples_path = Path(rules_path).parent / str(section["examples"])
    contents = examples_path.read_bytes()
    contents_digest = digest(contents)
    listened_for = needs | guards
    # Which everyday examples frame the others depends on every family too (the families read
    # each other's word forms, and some cancel others), and on which of them are listened for.
    framing_digest = digest(
        json.dumps(
            {"families": data.get("families"), "listened_for": sorted(listened_for)},
            sort_keys=True,
            default=str,
        ).encode()
    )

    def framed_examples() -> list[Example]:
        """The examples, read and checked whole, with their framed copies."""
        examples = read_examples(examples_path)
        says_nothing = framing_check(families, listened_for)
        return with_framings(examples, framing_sentences(examples, says_nothing))

    # Read and checked whole only when the signal must be trained: the same contents were
    # checked when the signal kept for them was trained.
    signal = trained_signal(f"{contents_digest}-{framing_digest}", framed_examples)
    if CONTEXT_HEAD in section:
        head_path = Path(rules_path).parent / str(section[CONTEXT_HEAD])
        head = context_head(head_path, contents_digest)
        try:
            signal = BlendedSignal(signal, shared_encoder(), head, thresholds[3])
        except ValueError as error:
            raise ConfigError(str(head_path), f"{error} ({TRAIN_CONTEXT})") from None
    learned = Learned(signal, thresholds[0], thresholds[1], needs, thresholds[2])
    return learned, examples_path, contents_digest


def context_head(path: Path, examples_digest: str) -> ContextHead:
    """The kept context head; one trained on other examples still hears crisis, so it is used,
    with a warning that names the command that trains it again."""
    try:
        head = ContextHead.load(path)
    except (OSError, ValueError, KeyError) as error:
        raise ConfigError(
            str(path), f"cannot read the context head ({error}); run {TRAIN_CONTEXT}"
        ) from None
    if head.examples_digest != examples_digest:
        _log.warning("the context head was trained on other examples; run %s", TRAIN_CONTEXT)
    return head


def read_examples(path: Path) -> list[Example]:
    """The labelled examples the learned signal is trained on, checked whole."""
    source = str(path)
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ConfigError(source, "the file needs 'sources:' and then 'messages:'")
    sources = data.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise ConfigError(source, "'sources:' must list where the messages come from")
    examples = []
    for index, entry in enumerate(data["messages"]):
        line = line_of(data["messages"], index)
        where = f"line {line}" if line else None
        if not isinstance(entry, dict):
            raise ConfigError(source, "each message starts with '- text:'", where)
        text, tier, kind = entry.get("text"), entry.get("tier"), entry.get("kind")
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(source, "a message needs its words after 'text:'", where)
        if tier not in (CRISIS, CONCERN, NONE):
            raise ConfigError(source, "'tier:' must be crisis, concern or none", where)
        if tier == CRISIS and kind not in CRISIS_KINDS:
            raise ConfigError(source, unknown("kind", kind, CRISIS_KINDS), where)
        if tier == CONCERN and kind != DISTRESS:
            raise ConfigError(source, "a concern message has 'kind: distress'", where)
        if entry.get("source") not in sources:
            raise ConfigError(
                source, f"unknown source {entry.get('source')!r}; add it under 'sources:'", where
            )
        examples.append(Example(text, tier, str(kind)))
    try:
        LearnedCheck.enough(examples)
    except ValueError as error:
        raise ConfigError(source, str(error)) from None
    return examples
