"""Reads one parsed survey file into a `Survey`: the top, the consent screen, each question,
its options, bounds and lengths (the skip rules are checked by `file_rules.py`)."""

from __future__ import annotations

import difflib
import math
from functools import partial

from bot.services.surveys.definition import (
    CHOICE,
    CHOICES,
    KINDS,
    NUMBER,
    SCALE,
    SCOPES,
    SECTION,
    TEXT,
    Consent,
    Option,
    Question,
    Survey,
)
from bot.services.surveys.file_checks import (
    CONSENT_KEYS,
    DEFAULT_TEXT_LENGTH,
    ID_PATTERN,
    LONGEST,
    MAX_ENTRIES,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    MAX_TEXT_LENGTH,
    MIN_OPTIONS,
    NUMBER_LIMIT,
    QUESTION_KEYS,
    QUOTE_FIX,
    TOP_KEYS,
    bound_words,
    line_at,
    shown,
)
from bot.services.surveys.file_rules import SkipRuleChecks, with_condition
from config.yamlfile import line_of


class SurveyReader(SkipRuleChecks):
    """Reads one parsed survey file, raising ConfigError at the first mistake."""

    def survey(self, key: str, raw: object) -> Survey:
        """Check the whole file and build the survey."""
        if raw is None:
            raise self.fail(
                None,
                "",
                "the file is empty. Start from config/surveys/example.yaml: copy it and change "
                "the words.",
            )
        if not isinstance(raw, dict):
            raise self.fail(
                None,
                "",
                "the file must start with 'title:', 'audience:', 'anonymous:', 'consent:' and "
                "'questions:', each at the start of a line.",
            )
        self.known_keys(None, raw, TOP_KEYS, "at the top of the file")
        for name in ("title", "audience", "anonymous", "consent", "questions"):
            if name not in raw:
                raise self.fail(None, "", self.missing_top(name))
        title = self.words(None, raw, "title", LONGEST["title"], multiline=False)
        intro = self.words(None, raw, "intro", LONGEST["intro"], required=False)
        audience = raw["audience"]
        if not isinstance(audience, str) or audience.strip() not in SCOPES:
            raise self.fail(
                "audience",
                line_at(raw, "audience"),
                f"'audience' is {shown(audience)}. Write forum (everyone), region (the "
                "coordinator picks a region) or hub (the coordinator picks a hub).",
            )
        anonymous = self.yes_no(None, raw, "anonymous", default=None)
        consent = self.consent(raw)
        questions = self.questions(raw)
        return Survey(
            key=key,
            title=title,
            audience=audience.strip(),
            anonymous=anonymous,
            consent=consent,
            questions=questions,
            intro=intro,
            source=self.source,
        )

    def missing_top(self, name: str) -> str:
        """What to write when a top-level line is missing."""
        how = {
            "title": "the survey's name, like 'title: Getting help when you need it'",
            "audience": "who it is for: forum, region or hub",
            "anonymous": "'anonymous: yes' (answers kept without names) or 'anonymous: no'",
            "consent": "what members read before they start: purpose, who_runs, who_sees "
            "and kept_for",
            "questions": "the list of questions, each starting with '- id:'",
        }[name]
        return f"the '{name}:' line is missing. Add it at the start of a line: {how}."

    def consent(self, raw: dict) -> Consent:
        """The consent screen's four texts."""
        block = raw["consent"]
        if not isinstance(block, dict):
            raise self.fail(
                "consent",
                line_at(raw, "consent"),
                "'consent:' needs four lines under it, each indented by two spaces: purpose, "
                "who_runs, who_sees and kept_for.",
            )
        self.known_keys("consent", block, CONSENT_KEYS, "under 'consent:'")
        for name in CONSENT_KEYS:
            if name not in block:
                raise self.fail(
                    "consent",
                    line_at(block),
                    f"'{name}:' is missing under 'consent:'. Members read it before they "
                    "agree; "
                    + {
                        "purpose": "say what the survey is for.",
                        "who_runs": "say who runs it (for example, the forum's peer researchers).",
                        "who_sees": "say who will see the answers.",
                        "kept_for": "say how long the answers are kept.",
                    }[name],
                )
        texts = {
            name: self.words(f"consent.{name}", block, name, LONGEST[name]) for name in CONSENT_KEYS
        }
        return Consent(**texts)

    # Questions

    def questions(self, raw: dict) -> tuple[Question, ...]:
        """Every question and heading, then the checks between them (ids, skip rules)."""
        items = raw["questions"]
        whole = partial(self.fail, "questions", line_at(raw, "questions"))  # about the list
        if not isinstance(items, list) or not items:
            raise whole(
                "'questions:' needs a list under it: each question starts on its own line "
                "with '- id:'.",
            )
        if len(items) > MAX_ENTRIES:
            raise whole(
                f"there are {len(items)} questions and headings; at most {MAX_ENTRIES} fit "
                "in one survey. Split it into two surveys.",
            )
        questions: list[Question] = []
        seen: dict[str, int] = {}
        sections = 0
        for index, item in enumerate(items):
            where = line_at(items, index)
            if not isinstance(item, dict):
                raise self.fail(
                    f"question {index + 1}",
                    where,
                    f"question {index + 1} must be lines like 'id:', 'kind:' and 'text:', "
                    f"not {shown(item)}. Start it with '- id:' and indent the lines under it.",
                )
            if item.get("kind") == SECTION:
                sections += 1
            question = self.question(item, index, where, sections)
            if question.id in seen:
                raise self.fail(
                    question.id,
                    where,
                    f"the id '{question.id}' is used twice (also on line {seen[question.id]}). "
                    "Give each question its own id.",
                )
            seen[question.id] = line_of(items, index) or 0
            questions.append(question)
        answerable = [q for q in questions if q.answerable]
        if not answerable:
            raise whole(
                "the survey has no questions to answer, only section headings. Add at least "
                "one question.",
            )
        if len(answerable) > MAX_QUESTIONS:
            raise whole(
                f"there are {len(answerable)} questions; at most {MAX_QUESTIONS} fit in one "
                "survey. Split it into two surveys.",
            )
        conditions = self.conditions(items, questions)
        return tuple(with_condition(q, conditions.get(q.id)) for q in questions)

    def question(self, item: dict, index: int, where: str, sections: int) -> Question:
        """One question or heading, without its skip rule (checked once all are read)."""
        label = f"question {index + 1}"
        kind = item.get("kind")
        if "kind" not in item:
            raise self.fail(
                label,
                where,
                f"{label} has no 'kind:'. Use one of: {', '.join(KINDS)}.",
            )
        if not isinstance(kind, str) or kind not in KINDS:
            hint = difflib.get_close_matches(str(kind), KINDS, n=1)
            fix = f" Did you mean '{hint[0]}'?" if hint else ""
            raise self.fail(
                label,
                line_at(item, "kind"),
                f"{shown(kind)} is not a kind of question.{fix} Use one of: {', '.join(KINDS)}.",
            )
        question_id = self.question_id(item, label, where, kind, sections)
        label = question_id if not question_id.startswith("section-") else label
        what = "in a section heading" if kind == SECTION else f"in a {kind} question"
        self.known_keys(label, item, QUESTION_KEYS[kind], what, kind)
        text = self.words(
            label, item, "text", LONGEST["heading" if kind == SECTION else "text"], multiline=True
        )
        values: dict = {"id": question_id, "kind": kind, "text": text}
        values["line"] = line_of(item) or 0
        if kind != SECTION:
            values["optional"] = self.yes_no(label, item, "optional", default=False)
        if kind in (CHOICE, CHOICES):
            values["options"] = self.options(label, item, where)
        elif kind == SCALE:
            values["low_label"] = self.words(
                label, item, "low_label", LONGEST["low_label"], required=False, multiline=False
            )
            values["high_label"] = self.words(
                label, item, "high_label", LONGEST["high_label"], required=False, multiline=False
            )
        elif kind == NUMBER:
            values.update(self.number_bounds(label, item))
        elif kind == TEXT:
            values["max_length"] = self.max_length(label, item)
        return Question(**values)

    def question_id(self, item: dict, label: str, where: str, kind: str, sections: int) -> str:
        """The question's id; a heading without one gets 'section-N' (never a written id)."""
        if "id" not in item:
            if kind == SECTION:
                return f"section-{sections}"
            raise self.fail(
                label,
                where,
                f"{label} has no 'id:'. Give it a short name of lower-case letters, digits or "
                "_, like 'id: used_service'. Skip rules and the results use it.",
            )
        value = item["id"]
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            value = str(value)
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            raise self.fail(
                label,
                line_at(item, "id"),
                f"the id {shown(value)} cannot be used. An id is 1 to 16 lower-case letters, "
                "digits or _ with no spaces, like used_service.",
            )
        return value

    def options(self, label: str, item: dict, where: str) -> tuple[Option, ...]:
        """A choice question's options: 'id: words' lines, 2 to 10, ids and words each once."""
        raw = item.get("options")
        example = "Write them under 'options:', one a line, like '    often: Often'."
        if raw is None:
            raise self.fail(label, where, f"a choice question needs 'options:'. {example}")
        if not isinstance(raw, dict):
            raise self.fail(
                label,
                line_at(item, "options"),
                f"'options:' must be lines of an id and words. {example} (without a '-').",
            )
        if not MIN_OPTIONS <= len(raw) <= MAX_OPTIONS:
            raise self.fail(
                label,
                line_at(item, "options"),
                f"this question has {len(raw)} option{'' if len(raw) == 1 else 's'}; a choice "
                f"question needs {MIN_OPTIONS} to {MAX_OPTIONS}.",
            )
        options: list[Option] = []
        ids: set[str] = set()
        words: set[str] = set()
        for key, value in raw.items():
            at = line_at(raw, key)
            if isinstance(key, bool):
                raise self.fail(
                    label,
                    at,
                    "an option id is read as a yes/no value: YAML reads yes, no, on, off, true "
                    'and false that way. Put the id in double quotes, like "yes": "Yes", or '
                    "use another id, like used_it.",
                )
            option_id = str(key) if isinstance(key, int) and key >= 0 else key
            if not isinstance(option_id, str) or not ID_PATTERN.match(option_id):
                raise self.fail(
                    label,
                    at,
                    f"the option id {shown(key)} cannot be used. An option id is 1 to 16 "
                    "lower-case letters, digits or _ with no spaces, like often or not_sure.",
                )
            if option_id in ids:
                raise self.fail(
                    label, at, f"the option id '{option_id}' is used twice in this question."
                )
            text = self.option_words(label, raw, key, value)
            if text.casefold() in words:
                raise self.fail(
                    label,
                    at,
                    f"two options read '{text}'. Give each option different words.",
                )
            ids.add(option_id)
            words.add(text.casefold())
            options.append(Option(option_id, text))
        return tuple(options)

    def option_words(self, label: str, raw: dict, key: object, value: object) -> str:
        """An option's button words."""
        at = line_at(raw, key)
        if isinstance(value, bool):
            raise self.fail(
                label, at, f"the words of option '{key}' are read as yes/no. {QUOTE_FIX}"
            )
        if isinstance(value, int | float) and math.isfinite(value):
            value = str(value)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise self.fail(
                label, at, f"option '{key}' has no words. Write the button's words after the colon."
            )
        if not isinstance(value, str):
            raise self.fail(label, at, f"option '{key}' must be words on one line.")
        text = " ".join(value.split())
        if len(text) > LONGEST["option"]:
            raise self.fail(
                label,
                at,
                f"option '{key}' has {len(text)} characters; button words may have at most "
                f"{LONGEST['option']}. Make them shorter.",
            )
        return text

    def number_bounds(self, label: str, item: dict) -> dict:
        """A number question's minimum, maximum and whether it takes decimals."""
        decimals = self.yes_no(label, item, "decimals", default=False)
        bounds = {}
        for name in ("minimum", "maximum"):
            value = item.get(name)
            if value is None:
                bounds[name] = None
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.fail(
                    label, line_at(item, name), f"'{name}' must be a number, like 0 or 120."
                )
            if not math.isfinite(value) or abs(value) > NUMBER_LIMIT:
                raise self.fail(
                    label,
                    line_at(item, name),
                    f"'{name}' is too far from zero; use a number between "
                    f"-{bound_words(NUMBER_LIMIT)} and {bound_words(NUMBER_LIMIT)}.",
                )
            if not decimals and not float(value).is_integer():
                raise self.fail(
                    label,
                    line_at(item, name),
                    f"'{name}' is {value}, but this question takes whole numbers only. Use a "
                    "whole number, or add 'decimals: yes'.",
                )
            bounds[name] = value if decimals else int(value)
        low, high = bounds["minimum"], bounds["maximum"]
        if low is not None and high is not None and low >= high:
            raise self.fail(
                label,
                line_at(item, "maximum"),
                f"'maximum' ({bound_words(high)}) must be more than 'minimum' "
                f"({bound_words(low)}).",
            )
        return {"minimum": low, "maximum": high, "decimals": decimals}

    def max_length(self, label: str, item: dict) -> int:
        """The longest answer a text question takes."""
        value = item.get("max_length", DEFAULT_TEXT_LENGTH)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 1 <= value <= MAX_TEXT_LENGTH
        ):
            raise self.fail(
                label,
                line_at(item, "max_length"),
                f"'max_length' is {shown(value)}. Use a whole number of characters from 1 to "
                f"{MAX_TEXT_LENGTH}, or leave it out for {DEFAULT_TEXT_LENGTH}.",
            )
        return value

    # Skip rules
