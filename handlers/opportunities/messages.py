"""How opportunity messages look: catalogue texts, the benefits note on paid ones (with the
advice lines from the support directory), and the members' buttons. The service is given an
instance by the composition root, so it never builds texts or callback data itself."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.directory import Directory
from bot.localtime import local_date, local_when
from bot.services.opportunities import CHOSEN, INTERESTED, Counts, Opportunity
from bot.texts import Markup, Texts
from handlers.opportunities.codes import coordinator_data, member_data

# Benefits advice from the support directory, by entry id, in this order (those missing from
# the directory are left out).
BENEFITS_ADVICE = ("turn2us", "citizens_advice")


class OpportunityTexts:
    """Renders opportunity texts from the catalogue, in local time."""

    def __init__(self, texts: Texts, zone: ZoneInfo, directory: Directory) -> None:
        self._texts = texts
        self._zone = zone
        self._directory = directory

    def kind_name(self, kind: str) -> str:
        """The kind in words (plain)."""
        return self._texts.plain(f"opportunities.kinds.{kind}")

    def closes(self, opportunity: Opportunity) -> str:
        """The last day to say "I'm interested": a date, or a date and time if not 23:59."""
        local = opportunity.closes_at.astimezone(self._zone)
        if (local.hour, local.minute) == (23, 59):
            return local_date(opportunity.closes_at, self._zone)
        return local_when(opportunity.closes_at, self._zone, self._texts)

    def details(self, opportunity: Opportunity) -> Markup:
        """The opportunity as members see it (safe HTML), with the benefits note if paid."""
        texts = self._texts
        if opportunity.places is None:
            places = texts.plain("opportunities.places_any")
        else:
            places = texts.plain("opportunities.places_some", count=opportunity.places)
        block = texts.get(
            "opportunities.details",
            title=opportunity.title,
            kind=self.kind_name(opportunity.kind),
            involves=opportunity.involves,
            gives=opportunity.gives,
            time_needed=opportunity.time_needed,
            place=opportunity.place,
            places=places,
            closes=self.closes(opportunity),
        )
        if opportunity.paid:
            block = f"{block}\n\n{self.benefits_note()}"
        return Markup(block)

    def benefits_note(self) -> str:
        """The plain note that payments can affect benefits, with where to get advice."""
        lines = [self._texts.get("opportunities.benefits_note")]
        for service_id in BENEFITS_ADVICE:
            service = self._directory.get(service_id)
            if service is None:
                continue
            how = " / ".join(part for part in (service.phone, service.text, service.web) if part)
            lines.append(self._texts.get("opportunities.benefits_line", name=service.name, how=how))
        return "\n".join(lines)

    def interest_line(self, state: str | None) -> str:
        """The member's own interest in words, or "" for none (safe HTML)."""
        if state is None:
            return ""
        return self._texts.get(f"opportunities.your_interest_{state}")

    def member_buttons(self, opportunity: Opportunity, state: str | None) -> InlineKeyboardMarkup:
        """I'm interested / Not for me, or Take back my interest once given."""
        plain = self._texts.plain
        if state in (INTERESTED, CHOSEN):
            rows = [
                [button(plain("opportunities.button_withdraw"), member_data("w", opportunity.id))]
            ]
        else:
            rows = [
                [
                    button(
                        plain("opportunities.button_interested"), member_data("i", opportunity.id)
                    ),
                    button(
                        plain("opportunities.button_not_for_me"), member_data("n", opportunity.id)
                    ),
                ]
            ]
        return InlineKeyboardMarkup(rows)

    def card(self, opportunity: Opportunity, state: str | None) -> tuple[str, InlineKeyboardMarkup]:
        """One opportunity in a member's list, with their interest and buttons."""
        text = str(self.details(opportunity))
        line = self.interest_line(state)
        if line:
            text = f"{text}\n\n{line}"
        return text, self.member_buttons(opportunity, state)

    # What the service sends

    def offer(self, opportunity: Opportunity) -> tuple[str, object]:
        """A new opportunity, with I'm interested / Not for me."""
        text = self._texts.get("opportunities.offer", details=self.details(opportunity))
        return text, self.member_buttons(opportunity, None)

    def interest(self, opportunity: Opportunity, name: str, note: str | None) -> tuple[str, object]:
        """To the coordinator: someone is interested (with their note), and a button."""
        texts = self._texts
        if note:
            note_line = texts.get("opportunities.told_note", note=note)
        else:
            note_line = texts.get("opportunities.told_no_note")
        text = texts.get(
            "opportunities.told_interest",
            name=name or texts.plain("opportunities.someone"),
            title=opportunity.title,
            note=Markup(note_line),
        )
        markup = InlineKeyboardMarkup(
            [
                [
                    button(
                        texts.plain("opportunities.button_who"),
                        coordinator_data("p", opportunity.id),
                    )
                ]
            ]
        )
        return text, markup

    def withdrawn(self, opportunity: Opportunity, name: str) -> tuple[str, object]:
        """To the coordinator: someone took back their interest."""
        texts = self._texts
        text = texts.get(
            "opportunities.told_withdrawn",
            name=name or texts.plain("opportunities.someone"),
            title=opportunity.title,
        )
        return text, None

    def chosen(self, opportunity: Opportunity) -> tuple[str, object]:
        """To a member chosen, with a button to take it back."""
        text = self._texts.get("opportunities.chosen", title=opportunity.title)
        return text, self.member_buttons(opportunity, CHOSEN)

    def not_chosen(self, opportunity: Opportunity, others_open: bool) -> tuple[str, object]:
        """To a member not chosen this time: thanks and a next step."""
        key = "opportunities.not_chosen_others" if others_open else "opportunities.not_chosen_next"
        return self._texts.get(key, title=opportunity.title), None

    def closed_early(self, opportunity: Opportunity) -> tuple[str, object]:
        """To people still waiting: it stopped taking interest."""
        return self._texts.get("opportunities.closed_early_notice", title=opportunity.title), None

    def cancelled(self, opportunity: Opportunity) -> tuple[str, object]:
        """To people interested or chosen: it was called off."""
        return self._texts.get("opportunities.cancelled_notice", title=opportunity.title), None

    def closed_on_time(self, opportunity: Opportunity, counts: Counts) -> tuple[str, object]:
        """To the coordinator, once its closing date passed: how many said they are
        interested, and the next step (choose people, record what happened, or post again)."""
        texts = self._texts
        lines = [texts.get("opportunities.closed_on_time", title=opportunity.title)]
        if counts.interested:
            lines.append(texts.get("opportunities.closed_waiting", count=counts.interested))
        if counts.chosen:
            lines.append(texts.get("opportunities.closed_chosen", count=counts.chosen))
        if not counts.interested and not counts.chosen:
            lines.append(texts.get("opportunities.closed_nobody"))
            return "\n".join([*lines, texts.get("opportunities.closed_next_again")]), None
        key = "closed_next_choose" if counts.interested else "closed_next_record"
        lines.append(texts.get(f"opportunities.{key}"))
        who = "button_who" if counts.interested else "button_record"
        verb = "p" if counts.interested else "r"
        markup = InlineKeyboardMarkup(
            [[button(texts.plain(f"opportunities.{who}"), coordinator_data(verb, opportunity.id))]]
        )
        return "\n".join(lines), markup

    @classmethod
    def of(cls, services: Any) -> OpportunityTexts:
        """The renderer for a running bot's texts, time zone and directory."""
        return cls(services.texts, services.settings.zone, services.directory)


def button(label: str, data: str) -> InlineKeyboardButton:
    """An inline button."""
    return InlineKeyboardButton(label, callback_data=data)
