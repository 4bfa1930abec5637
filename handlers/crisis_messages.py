"""How crisis and concern replies read: what fits the kind of crisis first, then the lines every
crisis reply keeps (999 and Samaritans), all from the text catalogue."""

from __future__ import annotations

from bot.crisis import Verdict
from bot.texts import Texts

# At most this many kinds' "what to do first" blocks in one reply: enough for "he hit me and
# I took all my pills", short enough to read in a hurry.
MAX_KIND_BLOCKS = 2


def crisis_text(texts: Texts, verdict: Verdict | None = None) -> str:
    """The full crisis reply: the most urgent kinds' first steps (or the general opening, which
    says to call 999), then Samaritans, Shout, NHS 111 and the offer of a coordinator."""
    blocks: list[str] = []
    for kind in verdict.kinds if verdict is not None else ():
        block = _kind_block(texts, kind)
        if block is not None and len(blocks) < MAX_KIND_BLOCKS:
            blocks.append(block)
    if not blocks:
        blocks.append(texts.get("crisis.open"))
    return "\n\n".join([*blocks, texts.get("crisis.lines")])


def _kind_block(texts: Texts, kind: str) -> str | None:
    """The 'what to do first' block for a kind, if the catalogue has one."""
    try:
        return texts.get(f"crisis.kind.{kind}")
    except KeyError:
        return None


def concern_text(texts: Texts) -> str:
    """The gentle reply for distress that is not clearly a crisis."""
    return texts.get("concern.reply")
