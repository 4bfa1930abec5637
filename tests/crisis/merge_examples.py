"""Merge batches of new development examples into config/crisis_examples.yaml, checked:

    python -m tests.crisis.merge_examples BATCH.yaml ... [--fixes FIXES.yaml] [--dry-run]

A batch has `sources:` (id: citation) and `examples:` (or `messages:`), each with text, tier,
kind, source and writer, as in the examples file. Every entry is checked (tier, a kind that fits
it, a source the batch or the file cites, a writer); a batch with a wrong entry is refused
whole, naming it. Messages already in the file or in the locked part (lower-cased, spaces
folded) are dropped, so running it again adds nothing twice; locked messages are only counted,
never shown. A fixes file lists `- text:` with a corrected `tier:` and `kind:`, or `drop: true`,
for entries judged mislabelled. The file's header comment is kept."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

from bot.crisis.evaluation import CORPUS_DIR, EXAMPLES_PATH
from bot.crisis.kinds import CONCERN, CRISIS, CRISIS_KINDS, DISTRESS, NONE

EVERYDAY_KINDS = frozenset(
    {
        "forum",
        "life",
        "idiom",
        "policy",
        "lived_experience",
        "practical",
        "other",
        "people",
        "feelings",
        "body",
        "myself",
    }
)
FIELDS = ("text", "tier", "kind", "source", "writer")


def folded(text: str) -> str:
    """A message as duplicates are compared: lower case, spaces folded."""
    return " ".join(text.lower().split())


def entry_problem(entry: object, sources: dict[str, str]) -> str | None:
    """What is wrong with one batch entry, or None."""
    if not isinstance(entry, dict) or set(entry) != set(FIELDS):
        return f"needs exactly the fields {', '.join(FIELDS)}"
    if not isinstance(entry["text"], str) or not entry["text"].strip():
        return "has no text"
    tier, kind = entry["tier"], entry["kind"]
    if tier == CRISIS and kind not in CRISIS_KINDS:
        return f"crisis kind {kind!r} is not one of {', '.join(CRISIS_KINDS)}"
    if tier == CONCERN and kind != DISTRESS:
        return "a concern message has kind distress"
    if tier == NONE and kind not in EVERYDAY_KINDS:
        return f"everyday kind {kind!r} is not one of {', '.join(sorted(EVERYDAY_KINDS))}"
    if tier not in (CRISIS, CONCERN, NONE):
        return f"tier {tier!r} is not crisis, concern or none"
    if entry["source"] not in sources:
        return f"source {entry['source']!r} is not cited"
    if not isinstance(entry["writer"], str) or not entry["writer"].strip():
        return "has no writer"
    return None


def merge(batches: list[Path], fixes: dict[str, dict], dry_run: bool) -> Counter:
    """Merge the batches into the examples file; counts of what was added and dropped."""
    raw = EXAMPLES_PATH.read_text(encoding="utf-8")
    header = raw[: raw.index("\nsources:") + 1]
    data = yaml.safe_load(raw)
    locked = yaml.safe_load((CORPUS_DIR / "locked.yaml").read_text(encoding="utf-8"))
    locked_texts = {folded(str(entry["text"])) for entry in locked["messages"]}
    seen = {folded(entry["text"]) for entry in data["messages"]}
    counts: Counter = Counter()
    for path in batches:
        batch = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = batch.get("examples", batch.get("messages")) or []
        cited = {**data["sources"], **(batch.get("sources") or {})}
        for source, citation in (batch.get("sources") or {}).items():
            if data["sources"].get(source, citation) != citation:
                sys.exit(f"{path}: source {source} is cited differently in the examples file")
        for index, entry in enumerate(entries):
            problem = entry_problem(entry, cited)
            if problem:
                sys.exit(f"{path}: entry {index + 1} {problem}")
        for entry in entries:
            key = folded(entry["text"])
            fix = fixes.get(key)
            if fix and fix.get("drop"):
                counts["dropped as mislabelled"] += 1
                continue
            if key in locked_texts:
                counts["dropped: in the locked part"] += 1
                continue
            if key in seen:
                counts["dropped: already there"] += 1
                continue
            seen.add(key)
            entry = {name: entry[name] for name in FIELDS}
            if fix:
                entry["tier"], entry["kind"] = fix["tier"], fix["kind"]
                counts["relabelled"] += 1
            if entry["source"] not in data["sources"]:
                data["sources"][entry["source"]] = cited[entry["source"]]
                counts["sources added"] += 1
            data["messages"].append(entry)
            counts[f"added {entry['tier']}"] += 1
    if not dry_run:
        body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**9)
        EXAMPLES_PATH.write_text(header + body, encoding="utf-8")
    return counts


def main() -> None:
    """Merge the batches named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("batches", nargs="+", type=Path)
    parser.add_argument("--fixes", type=Path, help="corrected labels (text, tier, kind or drop)")
    parser.add_argument("--dry-run", action="store_true", help="check and count only")
    args = parser.parse_args()
    fixes: dict[str, dict] = {}
    if args.fixes:
        for fix in yaml.safe_load(args.fixes.read_text(encoding="utf-8")) or []:
            fixes[folded(fix["text"])] = fix
    counts = merge(args.batches, fixes, args.dry_run)
    for name, count in sorted(counts.items()):
        print(f"{name}: {count}")


if __name__ == "__main__":
    main()
