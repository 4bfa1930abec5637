"""Callback data of survey buttons: what each button carries and how it is read back.

Every press is decoded defensively (handlers/shared/callbacks.py) into a `SurveyPress`; the
ids in it are still checked again by the survey service. The shapes:

  svs:<survey>                 start, or carry on where the member left off
  sva:<survey>                 agree on the consent screen
  svp:<survey>:<q>:<value>     answer a choice (option id) or a scale (S1..S5)
  svt:<survey>:<q>:<option>    tick or untick an option of a "several choices" question
  svd:<survey>:<q>             done ticking
  svk:<survey>:<q>             skip an optional question
  svb:<survey>                 back one question
  svx:<survey>                 stop for now (answers so far are kept)
  svw:<token>[:y|:n]           withdraw my answers: ask first, then yes or keep them
  svc:<survey>:<c|cy|x|xy|k>   a coordinator closes early or calls off (asked first)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.services.surveys.definition import SCALE_VALUES
from handlers.shared.callbacks import BadCallback, Callback, decode, encode

START, AGREE, PRESS, TICK, DONE = "svs", "sva", "svp", "svt", "svd"
SKIP, BACK, STOP, WITHDRAW, MANAGE = "svk", "svb", "svx", "svw", "svc"
# The actions a member presses while answering (handled by handlers/surveys/answering.py).
MEMBER_ACTIONS = (START, AGREE, PRESS, TICK, DONE, SKIP, BACK, STOP)
_WITH_QUESTION = {PRESS: 1, TICK: 1, DONE: 0, SKIP: 0}  # action -> how many args after <q>
_ID = re.compile(r"[a-z0-9_]{1,16}")  # question and option ids, as survey files allow them
_TOKEN = re.compile(r"[A-Za-z0-9_\-]{16,40}")  # a withdraw token (secrets.token_urlsafe)
SCALE_MARK = "S"  # a scale value on a button: S1 .. S5 (option ids are lower case, never this)
WITHDRAW_ASK, WITHDRAW_YES, WITHDRAW_KEEP = "", "y", "n"
MANAGE_STEPS = ("c", "cy", "x", "xy", "k")  # close? close now; cancel? cancel now; keep it


@dataclass(frozen=True)
class SurveyPress:
    """A member's press on a survey button, read but not yet checked against the database."""

    action: str
    survey_id: int
    question_id: str = ""
    value: str = ""  # an option id, or a scale value as "S3"


def survey_data(action: str, survey_id: int, *more: object) -> str:
    """Callback data for a survey button (ValueError if it would break the rules)."""
    return encode(action, survey_id, *more)


def scale_value(value: int) -> str:
    """A scale value as a button carries it."""
    return f"{SCALE_MARK}{value}"


def read_scale(value: str) -> int | None:
    """A button's scale value (1..5), or None when it is not one."""
    if len(value) == 2 and value[0] == SCALE_MARK and value[1].isdigit():
        number = int(value[1])
        return number if number in SCALE_VALUES else None
    return None


def read_press(data: object) -> SurveyPress:
    """A member's survey press; anything malformed raises BadCallback."""
    callback = decode(data)
    if callback.action not in MEMBER_ACTIONS:
        raise BadCallback("not a survey answer")
    survey_id = callback.int_arg(0)
    extra = _WITH_QUESTION.get(callback.action)
    if extra is None:
        _exactly(callback, 1)
        return SurveyPress(callback.action, survey_id)
    _exactly(callback, 2 + extra)
    question_id = _id(callback.arg(1))
    value = ""
    if extra:
        value = callback.arg(2)
        if not (callback.action == PRESS and read_scale(value) is not None):
            _id(value)
    return SurveyPress(callback.action, survey_id, question_id, value)


def read_withdraw(data: object) -> tuple[str, str]:
    """(token, step) of a withdraw press: step is "" (ask), "y" (withdraw) or "n" (keep)."""
    callback = decode(data, WITHDRAW)
    if len(callback.args) not in (1, 2):
        raise BadCallback("wrong shape")
    token = callback.arg(0)
    if not _TOKEN.fullmatch(token):
        raise BadCallback("not a token")
    if len(callback.args) == 1:
        return token, WITHDRAW_ASK
    if callback.args[1] not in (WITHDRAW_YES, WITHDRAW_KEEP):
        raise BadCallback("bad step")
    return token, callback.args[1]


def read_manage(data: object) -> tuple[int, str]:
    """(survey id, step) of a coordinator's close or cancel press."""
    callback = decode(data, MANAGE)
    _exactly(callback, 2)
    step = callback.arg(1)
    if step not in MANAGE_STEPS:
        raise BadCallback("bad step")
    return callback.int_arg(0), step


def _exactly(callback: Callback, count: int) -> None:
    """Refuse a press with the wrong number of parts."""
    if len(callback.args) != count:
        raise BadCallback("wrong shape")


def _id(value: str) -> str:
    """A question or option id as survey files allow them, or BadCallback."""
    if not _ID.fullmatch(value):
        raise BadCallback("bad id")
    return value
