"""Loading the crisis net: its phrase, rules and examples files read once per process for the
same contents into one immutable matcher; any mistake stops start-up with the file and line."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.crisis.examples_file import digest, learned_in, read_examples, read_learned
from bot.crisis.families import Family
from bot.crisis.kinds import CONCERN, CRISIS
from bot.crisis.matcher import CrisisMatcher, Learned
from bot.crisis.phrase_file import PHRASE_SECTIONS, read_phrases
from bot.crisis.rules import Rule
from bot.crisis.rules_file import FAMILY_FIELDS, RULE_FIELDS, read_rules, rules_in
from config.yamlfile import read_yaml

_CONFIG = Path(__file__).resolve().parent.parent.parent / "config"
DEFAULT_PHRASES_PATH = _CONFIG / "crisis_phrases.yaml"
DEFAULT_RULES_PATH = _CONFIG / "crisis_rules.yaml"


def load_crisis_matcher(phrases_path: Path, rules_path: Path | None = None) -> CrisisMatcher:
    """Read and check the phrase file and (if given) the rules file, with the examples it names
    for the learned signal; a ready matcher or ConfigError. A matcher is immutable, so one is
    built once per process for the same contents of the files it reads (every test bot shares
    it)."""
    key = _contents_key(phrases_path, rules_path)
    with _built_lock:
        built = _built.get(key) if key is not None else None
        if built is None or not built.current():
            built = _build_matcher(phrases_path, rules_path)
            if key is not None:
                _built[key] = built
        return built.matcher


@dataclass(frozen=True, slots=True)
class _Built:
    """A matcher, and the examples file its learned signal was trained on (named in the rules
    file, so known only once that is read) with a digest of its contents then."""

    matcher: CrisisMatcher
    examples: Path | None = None
    examples_digest: str = ""

    def current(self) -> bool:
        """Whether the examples file still holds what the signal was trained on."""
        if self.examples is None:
            return True
        try:
            return digest(self.examples.read_bytes()) == self.examples_digest
        except OSError:
            return False


# Keyed by the phrase and rules files' names and contents; each entry checks its examples file.
_built: dict[str, _Built] = {}
_built_lock = threading.Lock()


def _contents_key(phrases_path: Path, rules_path: Path | None) -> str | None:
    """A key for the phrase and rules files' names and contents (None if one cannot be read:
    the build says why)."""
    hasher = hashlib.sha256()
    try:
        for path in (phrases_path, rules_path):
            if path is not None:
                hasher.update(str(path).encode() + b"\0" + Path(path).read_bytes() + b"\0")
    except OSError:
        return None
    return hasher.hexdigest()


def _build_matcher(phrases_path: Path, rules_path: Path | None) -> _Built:
    """Read the files (each once) and build a matcher."""
    phrases, not_a_crisis = read_phrases(phrases_path)
    families: list[Family] = []
    rules: list[Rule] = []
    guards: frozenset[str] = frozenset()
    learned: Learned | None = None
    examples: Path | None = None
    examples_digest = ""
    if rules_path is not None:
        data = read_yaml(rules_path)
        families, rules, guards = rules_in(rules_path, data)
        trained = learned_in(rules_path, data, families, guards)
        if trained is not None:
            learned, examples, examples_digest = trained
    matcher = CrisisMatcher(
        phrases,
        not_a_crisis,
        families,
        rules,
        phrase_guards=guards,
        learned=learned,
        source=str(phrases_path),
    )
    return _Built(matcher, examples, examples_digest)


__all__ = [
    "CONCERN",
    "CRISIS",
    "DEFAULT_PHRASES_PATH",
    "DEFAULT_RULES_PATH",
    "FAMILY_FIELDS",
    "PHRASE_SECTIONS",
    "RULE_FIELDS",
    "load_crisis_matcher",
    "read_examples",
    "read_learned",
    "read_phrases",
    "read_rules",
]
