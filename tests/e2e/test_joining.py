"""Joining in private chat: welcome, privacy notice, consent, region, hub and preferences."""

from __future__ import annotations

from tests.e2e.harness import RunningBot

ALEX = 700_000_001


async def test_newcomer_sees_welcome_and_privacy_notice_with_two_choices(bot: RunningBot) -> None:
    bot.emu.add_user(ALEX, "Alex")

    welcome = await bot.say(ALEX, "/start")
    privacy = await bot.next(ALEX)

    assert "National Service User Forum" in welcome.text
    assert "What we keep" in privacy.text
    assert "/leave" in privacy.text and "/mydata" in privacy.text
    labels = [label for label, _ in privacy.buttons]
    assert "Yes, I agree" in labels and "Not now" in labels
    assert await bot.services.members.get(ALEX) is None


async def test_agreeing_records_consent_time_then_region_hub_and_choices(bot: RunningBot) -> None:
    bot.emu.add_user(ALEX, "Alex")
    await bot.say(ALEX, "/start")
    privacy = await bot.next(ALEX)

    agreed = await bot.press(ALEX, privacy, "Yes, I agree")
    regions = await bot.next(ALEX)
    assert agreed.text.startswith("Thank you. You joined on")
    assert [label for label, _ in regions.buttons][:5] == [
        "North West",
        "North East",
        "Midlands",
        "South West",
        "South East",
    ]
    assert "Not sure or national only" in [label for label, _ in regions.buttons]

    hubs = await bot.press(ALEX, regions, "Midlands")
    assert "Midlands" in hubs.text
    hub_labels = [label for label, _ in hubs.buttons]
    assert "Midlands hub 1 (placeholder name)" in hub_labels and "Not sure yet" in hub_labels

    prefs = await bot.press(ALEX, hubs, "Midlands hub 2 (placeholder name)")
    assert "✅ Forum news" in [label for label, _ in prefs.buttons]
    prefs = await bot.press(ALEX, prefs, "✅ Forum news")
    assert "⬜ Forum news" in [label for label, _ in prefs.buttons]

    done = await bot.press(ALEX, prefs, "Done")
    assert "You are all set" in done.text
    assert "🆘 Help now" in [label for label, _ in done.buttons]

    member = await bot.services.members.get(ALEX)
    assert member is not None and member.setup_done
    assert member.first_name == "Alex"
    assert (member.region_id, member.hub_id) == ("midlands", "mid_hub_2")
    assert member.wants_news is False and member.wants_meetings is True
    assert member.consented_at is not None


async def test_not_now_stores_nothing_and_still_offers_support(bot: RunningBot) -> None:
    bot.emu.add_user(ALEX, "Alex")
    await bot.say(ALEX, "/start")
    privacy = await bot.next(ALEX)

    reply = await bot.press(ALEX, privacy, "Not now")

    assert "not kept anything" in reply.text
    labels = [label for label, _ in reply.buttons]
    assert "Get support" in labels and "🆘 Help now" in labels and "Join the forum" in labels
    assert await bot.services.members.get(ALEX) is None
    support = await bot.press(ALEX, reply, "Get support")
    assert "What kind of support" in support.text


async def test_national_only_skips_the_hub(bot: RunningBot) -> None:
    await bot.join(ALEX, "Alex", region=None)

    member = await bot.services.members.get(ALEX)
    assert member.region_id is None and member.hub_id is None and member.setup_done


async def test_start_again_as_a_member_shows_the_menu(bot: RunningBot) -> None:
    await bot.join(ALEX, "Alex", region="North West")

    greeting = await bot.say(ALEX, "/start")
    menu = await bot.next(ALEX)

    assert "Welcome back, Alex" in greeting.text
    labels = [label for label, _ in menu.buttons]
    for expected in (
        "Meetings",
        "Have your say",
        "Get support",
        "My settings",
        "Contact a coordinator",
        "🆘 Help now",
    ):
        assert expected in labels
