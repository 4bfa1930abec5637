"""How reaching people reads: invitation welcomes and notes, who a message did not reach and
why (in names, in plain words, with the next step), and the warnings. All from the catalogue
(config/texts/reach.yaml)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.delivery.reach import NOT_CONFIRMED, WHYS, Missed
from bot.services.roles import COORDINATOR, DECISION_MAKER, READER
from bot.texts import Markup, Texts
from handlers.shared.common import role_words

SHOWN = 15  # names listed in a report before "and N more"
# The welcome by role ("welcome_reader" is the decision-maker's, older than the reader role).
_WELCOME_KEYS = {
    COORDINATOR: "invite.welcome_coordinator",
    DECISION_MAKER: "invite.welcome_reader",
    READER: "invite.welcome_report_reader",
}


class ReachTexts:
    """Renders reach messages; given to the invitation and reach services by the
    composition root, and used by the delivery report and /broadcasts."""

    def __init__(self, texts: Texts) -> None:
        self._texts = texts

    def role(self, role: str) -> str:
        """A role in words."""
        return role_words(self._texts, role)

    def person(self, name: str | None, user_id: int) -> str:
        """A person by first name, or in words when the bot does not know their name."""
        return name if name else self._texts.plain("reach.unnamed", user_id=user_id)

    def why(self, why: str) -> str:
        """Why a message did not reach someone, in plain words."""
        return self._texts.plain(f"reach.why_{why}" if why in WHYS else "reach.why_telegram")

    # Invitations

    def welcome(self, role: str, waiting: int) -> str:
        """The first message someone gets when they open their link."""
        parts = [self._texts.get(_WELCOME_KEYS.get(role, "invite.welcome_reader"))]
        if waiting:
            parts.append(self._texts.get("invite.waiting", n=waiting))
        return "\n\n".join(parts)

    def link_used(self, name: str | None, user_id: int, role: str, waiting: int) -> str:
        """The note to the coordinator who made the link."""
        parts = [
            self._texts.get("invite.used", name=self.person(name, user_id), role=self.role(role))
        ]
        if waiting:
            parts.append(self._texts.get("invite.used_waiting", n=waiting))
        return "\n".join(parts)

    # Warnings

    def pack_unreached(self, question: str, name: str | None, user_id: int, why: str) -> str:
        """To coordinators: a results pack did not reach a decision-maker."""
        next_key = f"reach.pack_next_{why}" if why in WHYS else "reach.pack_next_telegram"
        return self._texts.get(
            "reach.pack_unreached",
            question=question,
            name=self.person(name, user_id),
            why=self.why(why),
            next=Markup(self._texts.get(next_key, user_id=user_id)),
        )

    def not_passed_on(self) -> str:
        """To a person whose urgent request reached no coordinator."""
        return self._texts.get("contact.not_passed_on")

    # Reports

    def missed_block(self, missed: Sequence[Missed], total: int) -> str:
        """'Who did not get it': one line a person (at most SHOWN), then what to do next for
        each reason there is. ``total`` counts everyone, shown or not."""
        if not missed:
            return ""
        texts = self._texts
        lines = [texts.get("reach.heading")]
        for person in missed[:SHOWN]:
            words = self.why(person.why)
            if person.sent_again:
                words = texts.plain("reach.sent_again", why=words)
            lines.append(
                texts.get(
                    "reach.person_line",
                    name=self.person(person.name, person.recipient_id),
                    why=words,
                )
            )
        if total > min(len(missed), SHOWN):
            lines.append(texts.get("reach.more", n=total - min(len(missed), SHOWN)))
        kinds = [why for why in WHYS if any(person.why == why for person in missed)]
        steps = [
            texts.get(f"reach.next_{why}")
            for why in kinds
            if not (
                why == NOT_CONFIRMED and all(p.sent_again for p in missed if p.why == NOT_CONFIRMED)
            )
        ]
        if steps:
            lines += ["", texts.get("reach.next_heading"), *steps]
        return "\n".join(lines)

    def missed_short(self, missed: Sequence[Missed], total: int, shown: int = 5) -> str:
        """One line for /broadcasts: 'Did not get it: Dana (has not opened the bot yet), ...'."""
        if not missed:
            return ""
        texts = self._texts
        people = [
            texts.plain(
                "reach.short_person",
                name=self.person(person.name, person.recipient_id),
                why=self.why(person.why),
            )
            for person in missed[:shown]
        ]
        more = total - min(len(missed), shown)
        if more > 0:
            people.append(texts.plain("reach.short_more", n=more))
        return texts.get("reach.short", names=", ".join(people))
