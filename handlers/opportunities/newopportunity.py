"""/newopportunity: a coordinator posts an opportunity step by step (kind, title, what it
involves, what it gives, time needed, where, the last day, places, who may see it, paid),
sees it as members will, and confirms; matching members are then told through the delivery
engine. Bad input gets a kind message saying what to do, and the draft is kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from telegram import Update

from bot.delivery import Audience
from bot.localtime import local_clock
from bot.services.errors import InvalidChoice, ServiceError
from bot.services.opportunities import (
    KINDS,
    MAX_GIVES,
    MAX_INVOLVES,
    MAX_PLACE,
    MAX_PLACES,
    MAX_TIME,
    MAX_TITLE,
    Opportunity,
    OpportunityDraft,
)
from bot.services.times import TimeRefused
from handlers.opportunities.messages import OpportunityTexts
from handlers.shared import audience_picker
from handlers.shared.common import ForumContext, say, show_key
from handlers.shared.conversation import Change, Conversation, Refusal, Step
from handlers.shared.drafts import DraftFields, Press
from handlers.shared.formatting import audience_words, number

ACTION = "nop"  # nop:<draft id>:<what>[:<arg>]
STEP_BUTTONS = "opp_buttons"
STEP_TITLE, STEP_INVOLVES, STEP_GIVES = "opp_title", "opp_involves", "opp_gives"
STEP_TIME, STEP_PLACE, STEP_CLOSES, STEP_PLACES = (
    "opp_time",
    "opp_place",
    "opp_closes",
    "opp_places",
)
CLOSE_DAYS = (7, 14, 28)
NO_LIMIT = 0  # `places` when the coordinator said "no set number"


@dataclass(frozen=True)
class Draft(DraftFields):
    """An opportunity being set up (the closing time in UTC)."""

    kind: str = ""
    title: str = ""
    involves: str = ""
    gives: str = ""
    time_needed: str = ""
    place: str = ""
    closes_at: datetime | None = None
    places: int | None = None  # None: not asked yet; NO_LIMIT: no set number
    audience: Audience | None = None
    paid: bool | None = None


DRAFTS: Conversation[Draft] = Conversation(
    ACTION,
    permission="create opportunity",
    button_step=STEP_BUTTONS,
    key="opportunity_draft",
    kind=Draft,
    texts="opportunities.new_",
    buttons="opportunities.button_",
)


def _text_reader(field: str, most: int, refusal: str):
    """A reader of one typed field: spaces trimmed, not empty, at most ``most`` letters."""

    async def read(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
        """The field, or a refusal saying what to send."""
        value = " ".join(text.split()) if field == "title" else text.strip()
        if not value or len(value) > most:
            raise Refusal(refusal)
        return draft.with_changes(**{field: value})

    return read


async def read_closes(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """A typed last day (a date; a time is optional)."""
    return draft.with_changes(closes_at=context.services.opportunities.read_closing(text))


async def quick_close(update: Update, context: ForumContext, press: Press) -> Draft:
    """A quick last day: the end of the day some days from today."""
    days = press.number()
    if days not in CLOSE_DAYS:
        raise InvalidChoice
    return press.draft.with_changes(closes_at=context.services.opportunities.closing_in(days))


async def read_places(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """A typed number of places."""
    value = text.strip()
    if not value.isdigit() or not value.isascii() or not 1 <= int(value[:6]) <= MAX_PLACES:
        raise Refusal("opportunities.new_places_bad")
    return draft.with_changes(places=int(value))


async def no_limit(update: Update, context: ForumContext, press: Press) -> Draft:
    """No set number of places."""
    return press.draft.with_changes(places=NO_LIMIT)


async def online(update: Update, context: ForumContext, press: Press) -> Draft:
    """It happens online."""
    return press.draft.with_changes(place=context.services.texts.plain("opportunities.online"))


def _kind_chosen(draft: Draft, kind: str) -> Draft:
    """The kind; a paid kind is paid, and a change away from it asks again."""
    if kind == "paid":
        return draft.with_changes(kind=kind, paid=True)
    paid = None if draft.kind == "paid" else draft.paid
    return draft.with_changes(kind=kind, paid=paid)


# The preview and posting


def _as_opportunity(draft: Draft) -> Opportunity:
    """The draft as an opportunity, to show it as members will see it."""
    assert draft.closes_at is not None and draft.audience is not None
    return Opportunity(
        id=0,
        kind=draft.kind,
        title=draft.title,
        involves=draft.involves,
        gives=draft.gives,
        time_needed=draft.time_needed,
        place=draft.place,
        paid=bool(draft.paid),
        places=_places(draft),
        audience_scope=draft.audience.scope,
        audience_place=draft.audience.place_id,
        closes_at=draft.closes_at,
        state="open",
        created_by=None,
        created_at=draft.closes_at,
        updated_at=draft.closes_at,
        ended_at=None,
    )


def _places(draft: Draft) -> int | None:
    """The number of places, or None for no set number."""
    return None if draft.places in (None, NO_LIMIT) else draft.places


async def show_preview(update: Update, context: ForumContext, draft: Draft) -> None:
    """The opportunity as members will see it, who it goes to and how many, and confirm."""
    services = context.services
    assert draft.audience is not None
    count = await services.opportunities.reach(update.effective_user.id, draft.kind, draft.audience)
    renderer = OpportunityTexts.of(context.services)
    markup = DRAFTS.confirm_keyboard(
        context, draft, "opportunities.button_confirm", "opportunities.button_start_again"
    )
    await say(
        update,
        context,
        "opportunities.new_preview",
        markup,
        details=renderer.details(_as_opportunity(draft)),
        audience=audience_words(services, draft.audience.label),
        count=number(count),
        kind=renderer.kind_name(draft.kind).lower(),
        when=_when(context),
    )


async def _create(update: Update, context: ForumContext, draft: Draft) -> None:
    """Store the opportunity and tell the matching members, once."""
    assert draft.closes_at is not None and draft.audience is not None
    ready = draft.build(OpportunityDraft, places=_places(draft), paid=bool(draft.paid))
    services, actor = context.services, update.effective_user.id
    created = await DRAFTS.store(
        update,
        context,
        draft,
        lambda: services.opportunities.create(actor, ready),
        _without_refused,
    )
    if created is not None:
        await show_key(
            update,
            context,
            "opportunities.new_created",
            None,
            count=number(created.told),
            when=_when(context),
        )


def _when(context: ForumContext) -> str:
    """When members get it: "now", or at the end of the night's quiet hours."""
    services = context.services
    reaches = services.opportunities.reaches_at()
    if reaches is None:
        return services.texts.plain("opportunities.when_now")
    clock = local_clock(reaches, services.settings.zone)
    return services.texts.plain("opportunities.when_morning", time=clock)


def _without_refused(draft: Draft, error: ServiceError) -> Draft:
    """The draft for another go after a refusal: a refused date is asked again."""
    return draft.with_changes(closes_at=None) if isinstance(error, TimeRefused) else draft


def _typed(key: str, awaits: str, field: str, most: int, refusal: str, **more) -> Step:
    """A step answered by typing one field."""
    return Step(
        missing=lambda d: not getattr(d, field),
        ask=more.pop("ask", None) or DRAFTS.question(key),
        awaits=awaits,
        read=_text_reader(field, most, refusal),
        refused=DRAFTS.only_cancel,
        **more,
    )


def _close_rows(context: ForumContext, draft: Draft) -> list:
    """The quick last-day buttons."""
    return [
        [DRAFTS.button(context, f"opportunities.button_close_{days}", draft, "close", days)]
        for days in CLOSE_DAYS
    ]


DRAFTS.define(
    [
        DRAFTS.choice(
            "opportunities.new_ask_kind",
            "kind",
            [(f"opportunities.kinds.{kind}", kind) for kind in KINDS],
            _kind_chosen,
            missing=lambda d: not d.kind,
        ),
        _typed(
            "opportunities.new_ask_title",
            STEP_TITLE,
            "title",
            MAX_TITLE,
            "opportunities.new_title_bad",
        ),
        _typed(
            "opportunities.new_ask_involves",
            STEP_INVOLVES,
            "involves",
            MAX_INVOLVES,
            "opportunities.new_involves_bad",
        ),
        _typed(
            "opportunities.new_ask_gives",
            STEP_GIVES,
            "gives",
            MAX_GIVES,
            "opportunities.new_gives_bad",
        ),
        _typed(
            "opportunities.new_ask_time",
            STEP_TIME,
            "time_needed",
            MAX_TIME,
            "opportunities.new_time_bad",
        ),
        Step(
            missing=lambda d: not d.place,
            ask=DRAFTS.question(
                "opportunities.new_ask_place",
                lambda c, d: [[DRAFTS.button(c, "opportunities.button_online", d, "online")]],
            ),
            awaits=STEP_PLACE,
            read=_text_reader("place", MAX_PLACE, "opportunities.new_place_bad"),
            again=True,
            presses={"online": online},
        ),
        Step(
            missing=lambda d: d.closes_at is None,
            ask=DRAFTS.question("opportunities.new_ask_closes", _close_rows),
            awaits=STEP_CLOSES,
            read=read_closes,
            again=True,
            presses={"close": quick_close},
        ),
        Step(
            missing=lambda d: d.places is None,
            ask=DRAFTS.question(
                "opportunities.new_ask_places",
                lambda c, d: [[DRAFTS.button(c, "opportunities.button_no_limit", d, "nolimit")]],
            ),
            awaits=STEP_PLACES,
            read=read_places,
            again=True,
            presses={"nolimit": no_limit},
        ),
        audience_picker.step(DRAFTS),
        DRAFTS.choice(
            "opportunities.new_ask_paid",
            "paid",
            [("opportunities.button_paid_yes", "y"), ("opportunities.button_paid_no", "n")],
            lambda d, answer: d.with_changes(paid=answer == "y"),
            missing=lambda d: d.paid is None,
        ),
    ],
    preview=show_preview,
    finish=_create,
    fresh=Draft,
    command="newopportunity",
    changes=[
        Change("opportunities.button_change_kind", "xk", lambda d: d.with_changes(kind="")),
        Change("opportunities.button_change_title", "xt", lambda d: d.with_changes(title="")),
        Change("opportunities.button_change_involves", "xi", lambda d: d.with_changes(involves="")),
        Change("opportunities.button_change_gives", "xg", lambda d: d.with_changes(gives="")),
        Change("opportunities.button_change_time", "xn", lambda d: d.with_changes(time_needed="")),
        Change("opportunities.button_change_place", "xp", lambda d: d.with_changes(place="")),
        Change(
            "opportunities.button_change_closes", "xc", lambda d: d.with_changes(closes_at=None)
        ),
        Change("opportunities.button_change_places", "xs", lambda d: d.with_changes(places=None)),
        Change("opportunities.button_change_who", "xa", lambda d: d.with_changes(audience=None)),
        Change(
            "opportunities.button_change_paid",
            "xm",
            lambda d: d if d.kind == "paid" else d.with_changes(paid=None),
        ),
    ],
)

register = DRAFTS.register  # /newopportunity, its steps and its buttons
