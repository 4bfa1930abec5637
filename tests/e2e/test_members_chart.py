"""/members for coordinators: the text report, then a chart of members by region against the
targets whose caption says the same in words; members get the refusal and no chart."""

from __future__ import annotations

from tests.e2e.conftest import COORDINATOR as CASEY
from tests.e2e.harness import RunningBot

SAM = 700_000_301
ROBIN = 700_000_302
ALEX = 700_000_303

REGIONS = ("North West", "North East", "Midlands", "South West", "South East")


async def test_coordinator_gets_the_report_then_a_chart_with_the_figures_in_words(
    bot: RunningBot,
) -> None:
    await bot.join(SAM, "Sam", region="North West")
    await bot.join(ROBIN, "Robin", region="North West")
    await bot.join(ALEX, "Alex", region="Midlands")

    report = await bot.say(CASEY, "/members")
    chart = await bot.next(CASEY)

    # The text report and its buttons are unchanged.
    assert "Members: 3 of a target of 200" in report.text
    assert "North West</b>: 2 active, 0 paused, 0 left" in report.html
    assert any(label.startswith("List names: ") for row in report.buttons for label in row)

    assert chart.photo is not None
    assert chart.text is None
    caption = chart.caption
    assert caption is not None
    assert "Members in each region and the target" in caption
    assert "North West: 2 of 40" in caption
    assert "Midlands: 1 of 40" in caption
    for region in ("North East", "South West", "South East"):
        assert f"{region}: 0 of 40" in caption
    assert [line.split(":")[0] for line in caption.splitlines()[1:]] == list(REGIONS)
    assert "<b>" in (chart.caption_html or "")
    assert "Sam" not in caption and "Robin" not in caption

    [request] = bot.emu.requests("sendPhoto", chat_id=CASEY, status=200)
    assert request.status == 200


async def test_a_member_gets_the_refusal_and_no_chart(bot: RunningBot) -> None:
    await bot.join(SAM, "Sam", region="North West")

    reply = await bot.say(SAM, "/members")

    assert "only for coordinators" in reply.text
    assert reply.photo is None
    assert "North West" not in reply.text
    assert not bot.emu.requests("sendPhoto")
    assert not [m for m in bot.emu.messages if m.chat_id == SAM and m.photo is not None]
