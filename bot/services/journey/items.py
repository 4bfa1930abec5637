"""Names of what a member can hide on their journey, as kept in journey_hidden: a section
('joined', 'meetings', 'answers', 'opportunities', 'contributions', 'skills') or one item
('meeting:<id>', 'opportunity:<id>', 'contribution:<id>'), and the short codes buttons carry
for them (a section's first letter, or that letter and the id: 'o12')."""

from __future__ import annotations

import re

SECTIONS = ("joined", "meetings", "answers", "opportunities", "contributions", "skills")
MEETING, OPPORTUNITY, CONTRIBUTION = "meeting", "opportunity", "contribution"
ITEM_KINDS = (MEETING, OPPORTUNITY, CONTRIBUTION)
_MOST_ID = 10**15  # ids beyond any SQLite rowid a forum will reach; keeps codes short
_ITEM = re.compile(r"(meeting|opportunity|contribution):([1-9][0-9]{0,14})")
_CODE = re.compile(r"([jmaocs])|([moc])([1-9][0-9]{0,14})")
_SECTION_CODES = {section[0]: section for section in SECTIONS}
_ITEM_CODES = {kind[0]: kind for kind in ITEM_KINDS}


def item_name(kind: str, item_id: int) -> str:
    """The stored name of one item, like 'opportunity:12'."""
    if kind not in ITEM_KINDS or not 0 < item_id < _MOST_ID:
        raise ValueError("not an item of a journey")
    return f"{kind}:{item_id}"


def read_item(item: str) -> tuple[str, int] | None:
    """A stored name read back: ('section', 0) for a section, (kind, id) for an item, or
    None for anything else."""
    if item in SECTIONS:
        return "section", 0
    match = _ITEM.fullmatch(item)
    if match is None:
        return None
    return match.group(1), int(match.group(2))


def code_of(item: str) -> str:
    """The short code a button carries for a stored name ('o12', or 'm' for meetings)."""
    parsed = read_item(item)
    if parsed is None:
        raise ValueError("not an item of a journey")
    kind, item_id = parsed
    if kind == "section":
        return item[0]
    return f"{kind[0]}{item_id}"


def item_of(code: str) -> str | None:
    """The stored name a button's short code stands for, or None for a code that is not one."""
    if not isinstance(code, str):
        return None
    match = _CODE.fullmatch(code)
    if match is None:
        return None
    if match.group(1):
        return _SECTION_CODES[match.group(1)]
    return item_name(_ITEM_CODES[match.group(2)], int(match.group(3)))
