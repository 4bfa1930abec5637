"""The checks on a survey file's skip rules (`show_if`): an earlier, answerable question, options
it has, bounds that fit it, and no loops."""

from __future__ import annotations

import difflib
import math
from dataclasses import replace

from bot.services.surveys.definition import (
    CHOICE,
    CHOICES,
    SCALE,
    SCALE_VALUES,
    SECTION,
    TEXT,
    Condition,
    Question,
)
from bot.services.surveys.file_checks import (
    CONDITION_KEYS,
    NUMBER_LIMIT,
    FileChecks,
    bound_words,
    line_at,
    shown,
)


class SkipRuleChecks(FileChecks):
    """Checks and builds the skip rules of one survey file."""

    def conditions(self, items: list, questions: list[Question]) -> dict[str, Condition]:
        """Every question's show_if, checked against the questions before it."""
        position = {q.id: i for i, q in enumerate(questions)}
        targets: dict[str, str] = {}  # question -> the question its rule names
        for item, question in zip(items, questions, strict=True):
            if isinstance(item, dict) and "show_if" in item:
                targets[question.id] = self.target_id(question, item)
        found = {}
        for index, (item, question) in enumerate(zip(items, questions, strict=True)):
            if question.id not in targets:
                continue
            rule = item["show_if"]
            name = targets[question.id]
            where = line_at(item, "show_if")
            entry = question.id
            target = questions[position[name]] if name in position else None
            if target is None:
                hint = difflib.get_close_matches(name, [q.id for q in questions[:index]], n=1)
                fix = f" Did you mean '{hint[0]}'?" if hint else ""
                raise self.fail(
                    entry,
                    where,
                    f"show_if names '{name}', but no question has that id.{fix} Check the "
                    "spelling.",
                )
            if target.id == question.id:
                raise self.fail(
                    entry,
                    where,
                    "show_if names this same question. A question can only depend on an "
                    "answer given before it: name an earlier question.",
                )
            if position[name] > index:
                loop = loop_of(question.id, targets)
                if loop:
                    raise self.fail(
                        entry,
                        where,
                        "these skip rules make a loop: "
                        + " -> ".join(f"'{q}'" for q in loop)
                        + ". Each question waits for the other, so none would be asked. "
                        "Remove one of these show_if rules.",
                    )
                raise self.fail(
                    entry,
                    where,
                    f"show_if names '{name}', which comes later (line {target.line}). A "
                    "question can only depend on an answer given before it: move "
                    f"'{name}' above this question, or name an earlier one.",
                )
            if target.kind == SECTION:
                raise self.fail(
                    entry,
                    where,
                    f"show_if names '{name}', a section heading, which has no answer. Name a "
                    "question instead.",
                )
            if target.kind == TEXT:
                raise self.fail(
                    entry,
                    where,
                    f"show_if names '{name}', a free-text question; skip rules cannot read "
                    "free text. Name a choice, choices, scale or number question.",
                )
            found[question.id] = self.condition(entry, rule, target, where)
        return found

    def target_id(self, question: Question, item: dict) -> str:
        """The id a show_if names (its other parts are checked once all questions are read)."""
        rule = item["show_if"]
        where = line_at(item, "show_if")
        if not isinstance(rule, dict):
            raise self.fail(
                question.id,
                where,
                "show_if needs lines under it: 'question:' (an earlier question's id) and "
                "'any_of:' (its option ids), or 'at_least:' / 'at_most:' for a scale or "
                "number.",
            )
        self.known_keys(question.id, rule, CONDITION_KEYS, "under 'show_if:'")
        name = rule.get("question")
        if isinstance(name, int) and not isinstance(name, bool):
            name = str(name)
        if not isinstance(name, str) or not name.strip():
            raise self.fail(
                question.id,
                where,
                "show_if needs 'question:' with the id of the earlier question it depends on.",
            )
        return name.strip()

    def condition(self, entry: str, rule: dict, target: Question, where: str) -> Condition:
        """The rest of a show_if (``where``: its line): option ids for choice questions, bounds
        for scales and numbers."""
        if target.kind in (CHOICE, CHOICES):
            for name in ("at_least", "at_most"):
                if name in rule:
                    raise self.fail(
                        entry,
                        line_at(rule, name),
                        f"'{target.id}' is a choice question, so show_if uses 'any_of:' with "
                        f"its option ids, not '{name}'.",
                    )
            return Condition(target.id, any_of=self.any_of(entry, rule, target, where))
        if "any_of" in rule:
            raise self.fail(
                entry,
                line_at(rule, "any_of"),
                f"'{target.id}' is a {target.kind} question, so show_if uses 'at_least:' and/or "
                "'at_most:' with numbers, not 'any_of'.",
            )
        if "at_least" not in rule and "at_most" not in rule:
            raise self.fail(
                entry,
                where,
                f"show_if on '{target.id}' needs 'at_least:' and/or 'at_most:', like "
                "'at_least: 4'.",
            )
        if target.kind == SCALE:
            low, high = SCALE_VALUES[0], SCALE_VALUES[-1]
        else:
            low, high = target.minimum, target.maximum
        bounds = {}
        for name in ("at_least", "at_most"):
            value = rule.get(name)
            if name not in rule:
                bounds[name] = None
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.fail(entry, line_at(rule, name), f"'{name}' must be a number, like 4.")
            if not math.isfinite(value) or abs(value) > NUMBER_LIMIT:
                raise self.fail(entry, line_at(rule, name), f"'{name}' is too far from zero.")
            if target.kind == SCALE and value not in SCALE_VALUES:
                raise self.fail(
                    entry,
                    line_at(rule, name),
                    f"'{target.id}' is a scale from 1 to 5, so '{name}' must be a whole number "
                    f"from 1 to 5, not {shown(value)}.",
                )
            if (low is not None and value < low) or (high is not None and value > high):
                span = (
                    f"from {bound_words(low)} to {bound_words(high)}"
                    if low is not None and high is not None
                    else f"at least {bound_words(low)}"
                    if low is not None
                    else f"at most {bound_words(high)}"
                )
                raise self.fail(
                    entry,
                    line_at(rule, name),
                    f"'{name}' is {bound_words(value)}, but answers to '{target.id}' are {span}. "
                    "Use a number in that range.",
                )
            bounds[name] = value
        if (
            bounds["at_least"] is not None
            and bounds["at_most"] is not None
            and bounds["at_least"] > bounds["at_most"]
        ):
            raise self.fail(
                entry,
                where,
                f"'at_least' ({bound_words(bounds['at_least'])}) is more than 'at_most' "
                f"({bound_words(bounds['at_most'])}), so no answer could match. Swap them.",
            )
        return Condition(target.id, at_least=bounds["at_least"], at_most=bounds["at_most"])

    def any_of(self, entry: str, rule: dict, target: Question, where: str) -> tuple[str, ...]:
        """The option ids a show_if waits for: one id or a list, each an option of the target."""
        value = rule.get("any_of")
        where = line_at(rule, "any_of") or where
        ids = [o.id for o in target.options]
        if "any_of" not in rule or value is None or value == []:
            raise self.fail(
                entry,
                where,
                f"show_if on '{target.id}' needs 'any_of:' with the option ids that show this "
                f"question, like 'any_of: [{ids[0]}]'. Its options are: {', '.join(ids)}.",
            )
        values = value if isinstance(value, list) else [value]
        chosen: list[str] = []
        for one in values:
            if isinstance(one, bool):
                raise self.fail(
                    entry,
                    where,
                    "an option id in 'any_of' is read as yes/no: YAML reads yes, no, on, off, "
                    'true and false that way. Put it in double quotes, like ["yes"].',
                )
            name = str(one) if isinstance(one, int) else one
            if not isinstance(name, str) or target.option(name) is None:
                hint = difflib.get_close_matches(str(name), ids, n=1)
                fix = f" Did you mean '{hint[0]}'?" if hint else ""
                raise self.fail(
                    entry,
                    where,
                    f"{shown(name)} is not an option of '{target.id}'.{fix} Its options are: "
                    f"{', '.join(ids)}.",
                )
            if name not in chosen:
                chosen.append(name)
        return tuple(chosen)

    # Small parts


def loop_of(start: str, targets: dict[str, str]) -> list[str]:
    """The chain of skip rules from ``start`` back to itself, or [] when there is no loop."""
    chain = [start]
    current = targets.get(start)
    while current is not None and current not in chain:
        chain.append(current)
        current = targets.get(current)
    if current == start:
        return [*chain, start]
    return []


def with_condition(question: Question, condition: Condition | None) -> Question:
    """The question with its checked skip rule."""
    if condition is None:
        return question
    return replace(question, show_if=condition)
