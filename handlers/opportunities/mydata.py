"""/mydata's lines about opportunities: interest shown (with its state), outcomes recorded
and the kinds a member chose in /settings."""

from __future__ import annotations

from typing import Any

from bot.texts import Texts


def opportunity_lines(texts: Texts, data: dict[str, Any]) -> list[str]:
    """The member's opportunity data in words ("" parts left out)."""
    lines = []
    for item in data["interest"]:
        lines.append(
            texts.get(
                "opportunities.mydata_interest",
                title=item["opportunity"],
                state=texts.plain(f"opportunities.state_{item['state']}"),
            )
        )
    for item in data["outcomes"]:
        lines.append(
            texts.get(
                "opportunities.mydata_outcome",
                title=item["opportunity"],
                outcome=texts.plain(f"opportunities.outcome_{item['outcome']}"),
            )
        )
    chosen = data["kinds_chosen"]
    if chosen:
        on, off = texts.plain("settings.answer_yes"), texts.plain("settings.answer_no")
        words = ", ".join(
            f"{texts.plain(f'opportunities.kinds.{kind}')}: {on if wanted else off}"
            for kind, wanted in chosen.items()
        )
        lines.append(texts.get("opportunities.mydata_kinds", kinds=words))
    return lines
