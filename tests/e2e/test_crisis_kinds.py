"""The crisis net through the real bot: a reply by kind, the gentle reply for distress, and only
an anonymous count by tier and kind left behind."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.harness import RunningBot

ALEX = 700_000_401


def labels(message) -> list[str]:
    """The button labels on a message."""
    return [label for label, _ in message.buttons]


async def counts(bot: RunningBot, expected_total: int) -> dict[tuple[str, str], int]:
    """Today's counts by (tier, kind), once the expected number has been written."""
    today = bot.clock.now().astimezone(bot.services.settings.zone).date().isoformat()
    for _ in range(100):
        if await bot.services.safety.replies_on(today) >= expected_total:
            break
        await asyncio.sleep(0.02)
    return await bot.services.safety.counts_on(today)


@pytest.mark.parametrize(
    ("message", "first_words", "kind"),
    [
        ("I've just taken all my sertraline and feel weird", "taken too much", "overdose"),
        ("my partner hit me again and took my phone", "0808 2000 247", "domestic_abuse"),
        ("im 12 and my stepdad keeps touching me", "Childline", "child"),
        ("i was raped last night", "not your fault", "sexual_violence"),
        ("there's a man trying to break in to my flat", "in danger now", "danger_now"),
    ],
)
async def test_a_crisis_gets_the_reply_that_fits_its_kind_first(
    bot: RunningBot, message: str, first_words: str, kind: str
) -> None:
    """The kind's first step opens the reply; 999 and Samaritans are always there; the
    person can ask a coordinator or carry on; the count records the kind, not the words."""
    bot.emu.add_user(ALEX, "Alex")

    reply = await bot.say(ALEX, message)

    assert first_words in reply.text
    assert reply.text.index(first_words) < reply.text.index("116 123")
    assert "999" in reply.text
    assert labels(reply) == ["Ask a coordinator to contact me", "Carry on"]
    assert await counts(bot, 1) == {("crisis", kind): 1}


async def test_distress_gets_the_gentle_reply_with_help_now(bot: RunningBot) -> None:
    """Distress that is not clearly a crisis: a short reply, Samaritans, and the buttons for
    more help, a coordinator, or carrying on. "Help now" then gives the full crisis reply."""
    bot.emu.add_user(ALEX, "Alex")

    gentle = await bot.say(ALEX, "honestly I can't cope today")

    assert "116 123" in gentle.text
    assert "cannot chat" in gentle.text
    assert labels(gentle) == ["🆘 Help now", "Ask a coordinator to contact me", "Carry on"]
    assert await counts(bot, 1) == {("concern", "distress"): 1}

    full = await bot.press(ALEX, gentle, "🆘 Help now")
    assert "999" in full.text
    assert "Samaritans" in full.text


async def test_everyday_talk_gets_no_crisis_reply(bot: RunningBot) -> None:
    """Ordinary forum talk with crisis-like words is not answered as a crisis, and nothing is
    counted."""
    await bot.join(ALEX, "Alex", region="Midlands")

    reply = await bot.say(ALEX, "this queue is killing me, see you at the meeting")

    assert "116 123" not in reply.text
    assert await counts(bot, 0) == {}


async def test_a_long_message_is_checked_too(bot: RunningBot) -> None:
    """A message of 4,000 characters with a crisis at the very end still gets the reply (long
    ones are checked off the event loop)."""
    bot.emu.add_user(ALEX, "Alex")
    text = ("Quick question about Tuesday's meeting and the expenses form. " * 70)[:3990]

    reply = await bot.say(ALEX, text + " I want to die")

    assert "116 123" in reply.text


async def test_a_message_the_bot_does_not_understand_keeps_help_now(bot: RunningBot) -> None:
    """No wrong door: the everyday "did not understand" reply still has the 'Help now' button."""
    await bot.join(ALEX, "Alex", region="Midlands")

    reply = await bot.say(ALEX, "blorp wibble zonk")

    assert "116 123" not in reply.text
    assert "🆘 Help now" in labels(reply)
