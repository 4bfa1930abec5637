"""Coordinators' side of /opportunities: the running ones with counts, who is interested
(choose or not this time per person, then "Tell them"), recording what happened, closing early
and calling off."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.services.opportunities import (
    CHOSEN,
    INTERESTED,
    OUTCOMES,
    CoordinatorOpportunity,
    Interest,
)
from handlers.opportunities.codes import coordinator_data, read_coordinator
from handlers.opportunities.messages import OpportunityTexts, button
from handlers.shared.common import (
    Card,
    ForumContext,
    Listing,
    answer,
    say,
    send_each,
    show,
    show_key,
)
from handlers.shared.keyboards import keyboard

RUNNING = Listing("opportunities.coordinator_header", "opportunities.coordinator_empty", 10)
CHOICES = "opportunity_choices"  # user_data: {opportunity id: {member id: chosen?}}


async def show_coordinator_list(update: Update, context: ForumContext) -> None:
    """The running opportunities with counts and buttons."""
    services = context.services
    texts = services.texts
    renderer = OpportunityTexts.of(context.services)
    running = await services.opportunities.running(update.effective_user.id)

    async def card(item: CoordinatorOpportunity) -> Card:
        """The opportunity with its counts and buttons."""
        opportunity, counts = item.opportunity, item.counts
        if item.open_now:
            state = texts.plain("opportunities.state_open", closes=renderer.closes(opportunity))
        else:
            state = texts.plain("opportunities.state_closed")
        text = f"{renderer.details(opportunity)}\n\n" + texts.get(
            "opportunities.coordinator_counts",
            state=state,
            interested=counts.interested,
            chosen=counts.chosen,
            not_chosen=counts.not_chosen,
            withdrawn=counts.withdrawn,
        )
        return text, _coordinator_buttons(context, item)

    await send_each(update, context, RUNNING, running, card)


def _coordinator_buttons(
    context: ForumContext, item: CoordinatorOpportunity
) -> InlineKeyboardMarkup:
    """Who is interested, record what happened, close early, call off."""
    plain = context.services.texts.plain
    opportunity_id = item.opportunity.id
    rows = [[button(plain("opportunities.button_who"), coordinator_data("p", opportunity_id))]]
    if item.counts.chosen:
        rows.append(
            [button(plain("opportunities.button_record"), coordinator_data("r", opportunity_id))]
        )
    last = []
    if item.open_now:
        last.append(
            button(plain("opportunities.button_close_early"), coordinator_data("e", opportunity_id))
        )
    last.append(
        button(
            plain("opportunities.button_cancel_opportunity"), coordinator_data("k", opportunity_id)
        )
    )
    rows.append(last)
    return keyboard(rows)


def _name(context: ForumContext, person: Interest) -> str:
    """A person's first name, or "Someone"."""
    return person.first_name or context.services.texts.plain("opportunities.someone")


def _choices(context: ForumContext, opportunity_id: int) -> dict[int, bool]:
    """The coordinator's choices not yet told, for one opportunity."""
    every = context.user_data.setdefault(CHOICES, {})
    return every.setdefault(opportunity_id, {})


async def show_people(
    update: Update, context: ForumContext, opportunity_id: int, again: bool = False
) -> None:
    """Who is interested, with notes, states and the choices not told yet; buttons to choose
    each person waiting, and "Tell them" (``again``: redrawn after a choice)."""
    services = context.services
    texts = services.texts
    opportunity, people = await services.opportunities.people(
        update.effective_user.id, opportunity_id, again=again
    )
    if not people:
        await show_key(update, context, "opportunities.people_none", None, title=opportunity.title)
        return
    choices = _choices(context, opportunity_id)
    waiting = {p.member_id for p in people if p.state == INTERESTED}
    for member_id in [m for m in choices if m not in waiting]:
        del choices[member_id]  # told meanwhile, or took it back
    parts = [texts.get("opportunities.people_header", title=opportunity.title)]
    rows = []
    for person in people:
        note = person.note or ""
        line = texts.get(
            "opportunities.person",
            name=_name(context, person),
            state=texts.plain(f"opportunities.state_{person.state}"),
            note=note,
        ).rstrip()
        if person.member_id in choices:
            key = "person_choice_yes" if choices[person.member_id] else "person_choice_no"
            line += "\n" + texts.get(f"opportunities.{key}")
        parts.append(line)
        if person.state == INTERESTED:
            name = _name(context, person)
            rows.append(
                [
                    button(
                        texts.plain("opportunities.button_choose", name=name),
                        coordinator_data("y", opportunity_id, person.member_id),
                    ),
                    button(
                        texts.plain("opportunities.button_not_this_time", name=name),
                        coordinator_data("x", opportunity_id, person.member_id),
                    ),
                ]
            )
    if rows:
        parts.append(texts.get("opportunities.people_footer"))
        rows.append(
            [
                button(
                    texts.plain("opportunities.button_tell"), coordinator_data("t", opportunity_id)
                )
            ]
        )
    await show(update, context, "\n\n".join(parts), keyboard(rows) if rows else None)


async def show_outcomes(update: Update, context: ForumContext, opportunity_id: int) -> None:
    """The people chosen with what happened so far, and a button per outcome for each."""
    services = context.services
    texts = services.texts
    opportunity, people = await services.opportunities.people(
        update.effective_user.id, opportunity_id
    )
    chosen = [p for p in people if p.state == CHOSEN]
    if not chosen:
        await show_key(
            update, context, "opportunities.outcomes_none", None, title=opportunity.title
        )
        return
    parts = [texts.get("opportunities.outcomes_header", title=opportunity.title)]
    rows = []
    for person in chosen:
        name = _name(context, person)
        outcome = person.outcome or "not_yet"
        parts.append(
            texts.get(
                "opportunities.outcome_person",
                name=name,
                outcome=texts.plain(f"opportunities.outcome_{outcome}"),
            )
        )
        rows.append(
            [
                button(
                    f"{name}: {texts.plain(f'opportunities.button_{result}')}",
                    coordinator_data("o", opportunity_id, person.member_id, result),
                )
                for result in OUTCOMES
            ]
        )
    await show(update, context, "\n".join(parts), keyboard(rows))


async def on_coordinator_press(update: Update, context: ForumContext) -> None:
    """Every coordinator's opportunity button; the service checks the role and ids again."""
    await answer(update, context)
    pressed = read_coordinator(update.callback_query.data)
    services, actor = context.services, update.effective_user.id
    opportunities = services.opportunities
    opportunity_id = pressed.opportunity_id
    verb = pressed.verb
    if verb == "p":
        await show_people(update, context, opportunity_id)
    elif verb in ("y", "x"):
        await services.roles.require_coordinator(actor, "choose people")
        assert pressed.member_id is not None
        _choices(context, opportunity_id)[pressed.member_id] = verb == "y"
        await show_people(update, context, opportunity_id, again=True)
    elif verb == "t":
        choices = dict(_choices(context, opportunity_id))
        told = await opportunities.tell(actor, opportunity_id, choices)
        context.user_data.get(CHOICES, {}).pop(opportunity_id, None)
        texts = services.texts
        lines = [texts.get("opportunities.told_done")]
        for count, key in ((told.chosen, "told_chosen"), (told.not_chosen, "told_not_chosen")):
            if count:
                lines.append(texts.get(f"opportunities.{key}", count=count))
        await show(update, context, " ".join(lines))
    elif verb == "r":
        await show_outcomes(update, context, opportunity_id)
    elif verb == "o":
        assert pressed.member_id is not None and pressed.outcome is not None
        ended = await opportunities.record_outcome(
            actor, opportunity_id, pressed.member_id, pressed.outcome
        )
        await show_outcomes(update, context, opportunity_id)
        if ended:
            opportunity = await opportunities.one(actor, opportunity_id)
            await say(update, context, "opportunities.ended", title=opportunity.title)
    elif verb == "e":
        count = await opportunities.close_early(actor, opportunity_id)
        if count:
            await say(update, context, "opportunities.closed_done", count=count)
        else:
            await say(update, context, "opportunities.closed_done_none")
    elif verb == "k":
        await _ask_cancel(update, context, opportunity_id)
    elif verb == "kk":
        count = await opportunities.cancel(actor, opportunity_id)
        if count:
            await show_key(update, context, "opportunities.cancelled_done", None, count=count)
        else:
            await show_key(update, context, "opportunities.cancelled_done_none")
    elif verb == "kn":
        await services.roles.require_coordinator(actor, "cancel opportunity")
        await show_key(update, context, "opportunities.kept")


async def _ask_cancel(update: Update, context: ForumContext, opportunity_id: int) -> None:
    """Call it off? Asked first."""
    services = context.services
    opportunity = await services.opportunities.one(update.effective_user.id, opportunity_id)
    plain = services.texts.plain
    markup = keyboard(
        [
            [
                button(
                    plain("opportunities.button_yes_cancel"), coordinator_data("kk", opportunity_id)
                )
            ],
            [button(plain("opportunities.button_keep"), coordinator_data("kn", opportunity_id))],
        ]
    )
    await say(update, context, "opportunities.cancel_confirm", markup, title=opportunity.title)
