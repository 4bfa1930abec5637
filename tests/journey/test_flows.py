"""My journey through the whole bot on the emulator: /journey and the menu's button, adding a
skill (listed, own words, crisis words at that step), hiding and showing, the summary PDF as a
document, /mydata and a non-member."""

from __future__ import annotations

import io
import json

from pypdf import PdfReader

from tests.e2e.harness import RunningBot
from tests.journey.world import World

SAM = 700_000_201
JO = 700_000_202
CRISIS = "I want to kill myself"


def labels(message) -> list[str]:
    """The button labels on a message."""
    return [label for label, _ in message.buttons]


async def sam_with_a_record(bot: RunningBot) -> World:
    """Sam joins; a meeting he came to, an opportunity he completed and one he took part in."""
    await bot.join(SAM, "Sam", region="North West")
    world = World(bot.services.db, bot.clock.now())
    await world.meeting("Hub meeting", 20, attended={SAM: 1})
    await world.opportunity("Peer research training", "training", outcomes={SAM: "completed"})
    await world.opportunity("Interview panel", "paid", outcomes={SAM: "took_part"}, days_ago=3)
    await world.contribution(SAM, "meeting_role", "<i>chaired</i> a meeting")
    return world


async def test_journey_shows_the_record_in_words(bot: RunningBot) -> None:
    await sam_with_a_record(bot)

    view = await bot.say(SAM, "/journey")

    assert "Your journey with the forum, Sam" in view.text
    assert "You came to 1 meeting." in view.text
    assert "• Hub meeting (" in view.text
    assert "None yet. When you answer a consultation or a survey" in view.text
    assert "anonymous survey counts here only while it is open" in view.text
    assert "Peer research training: completed in" in view.text
    assert "Interview panel: took part in" in view.text
    assert "<i>chaired</i> a meeting" in view.text  # a coordinator's words, shown as written
    assert "You have not added any yet" in view.text
    assert {"Add a skill", "Remove a skill", "Hide something", "Make a summary"} <= set(
        labels(view)
    )
    assert "🆘 Help now" in labels(view)


async def test_the_menu_has_a_my_journey_button(bot: RunningBot) -> None:
    await bot.join(SAM, "Sam")
    menu = await bot.say(SAM, "/menu")

    view = await bot.press(SAM, menu, "My journey")

    assert "Your journey with the forum, Sam" in view.text
    assert "None marked yet" in view.text
    assert "journey" in bot.emu.commands_for("default")


async def test_adding_skills_from_the_list_and_in_own_words(bot: RunningBot) -> None:
    await sam_with_a_record(bot)
    view = await bot.say(SAM, "/journey")

    choices = await bot.press(SAM, view, "Add a skill")
    assert "Speaking" in labels(choices) and "In my own words" in labels(choices)
    choices = await bot.press(SAM, choices, "Speaking")
    assert "Added: Speaking." in choices.text
    assert "Speaking" not in labels(choices)

    ask = await bot.press(SAM, choices, "In my own words")
    assert "Type your skill in a few words" in ask.text
    too_long = await bot.say(SAM, "x" * 41)
    assert "40 letters or fewer" in too_long.text
    view = await bot.say(SAM, "<b>Cooking</b> & baking")

    assert "Added: <b>Cooking</b> & baking." in view.text  # shown as typed, never as markup
    assert "• Speaking" in view.text and "• <b>Cooking</b> & baking" in view.text
    skills = await bot.services.journey.skills_held(SAM)
    assert [s.name for s in skills] == ["Speaking", "<b>Cooking</b> & baking"]

    removal = await bot.press(SAM, view, "Remove a skill")
    removal = await bot.press(SAM, removal, "Speaking")
    assert "Taken off your list: Speaking." in removal.text
    assert [s.name for s in await bot.services.journey.skills_held(SAM)] == [
        "<b>Cooking</b> & baking"
    ]


async def test_crisis_words_at_the_skill_step_get_help_first_and_nothing_is_kept(
    bot: RunningBot,
) -> None:
    await bot.join(SAM, "Sam")
    view = await bot.say(SAM, "/journey")
    choices = await bot.press(SAM, view, "Add a skill")
    await bot.press(SAM, choices, "In my own words")

    start = bot.emu.cursor(SAM)
    await bot.emu.send_text(SAM, CRISIS)
    reply = await bot.emu.wait_for_message(SAM, lambda m: "Carry on" in labels(m), since=start)
    assert "116 123" in reply.text
    assert await bot.services.journey.skills_held(SAM) == []

    after = bot.emu.cursor(SAM)
    await bot.emu.press_button(SAM, reply, text="Carry on")
    again = await bot.emu.wait_for_message(SAM, kinds=("sent",), since=after)
    assert "Type your skill in a few words" in again.text
    view = await bot.say(SAM, "Listening")
    assert "Added: Listening." in view.text


async def test_hiding_an_item_and_showing_it_again(bot: RunningBot) -> None:
    await sam_with_a_record(bot)
    view = await bot.say(SAM, "/journey")

    hide = await bot.press(SAM, view, "Hide something")
    assert "Opportunity: Interview panel" in labels(hide)
    hide = await bot.press(SAM, hide, "Opportunity: Interview panel")
    assert "Hidden: Opportunity: Interview panel." in hide.text
    assert "Opportunity: Interview panel" not in labels(hide)
    view = await bot.press(SAM, hide, "Back to my journey")

    assert "Interview panel" not in view.text
    assert "Peer research training" in view.text
    assert "1 hidden part" in view.text
    hidden = await bot.press(SAM, view, "Show hidden (1)")
    hidden = await bot.press(SAM, hidden, "Opportunity: Interview panel")
    assert "Showing again: Opportunity: Interview panel." in hidden.text
    view = await bot.press(SAM, hidden, "Back to my journey")
    assert "Interview panel: took part" in view.text


async def test_make_a_summary_sends_a_one_page_pdf_without_hidden_parts(bot: RunningBot) -> None:
    world = await sam_with_a_record(bot)
    await world.support_traces(SAM, "please call me about my drinking", "my key worker")
    view = await bot.say(SAM, "/journey")
    choices = await bot.press(SAM, view, "Add a skill")
    choices = await bot.press(SAM, choices, "Chairing")
    view = await bot.press(SAM, choices, "Back to my journey")
    hide = await bot.press(SAM, view, "Hide something")
    hide = await bot.press(SAM, hide, "Opportunity: Interview panel")
    view = await bot.press(SAM, hide, "Back to my journey")

    document = await bot.press(SAM, view, "Make a summary")

    assert document.document is not None
    day = bot.clock.now().date().isoformat()
    assert document.document.filename == f"forum-summary-Sam-{day}.pdf"
    assert "It says nothing about your health" in (document.caption or "")
    reader = PdfReader(io.BytesIO(document.document.data))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Sam: my time with the forum" in text
    assert "Came to 1 forum meeting." in text
    assert "Peer research training: completed" in text
    assert "Chairing" in text
    assert "Interview panel" not in text
    for words in ("drinking", "key worker", "North West", "urgent"):
        assert words not in text


async def test_mydata_shows_skills_and_hidden_parts_and_leave_deletes_them(
    bot: RunningBot,
) -> None:
    await sam_with_a_record(bot)
    await bot.services.journey.add_listed(SAM, "writing")
    await bot.services.journey.hide(SAM, "answers")

    await bot.say(SAM, "/mydata")
    other = await bot.next(SAM)
    document = await bot.next(SAM)

    assert "Skills on your journey: Writing" in other.text
    assert "Parts of your journey you hid: 1" in other.text
    data = json.loads(document.document.data)
    assert data["journey"]["skills"][0]["skill"] == "writing"
    assert data["journey"]["hidden_from_journey"] == ["answers"]

    confirm = await bot.say(SAM, "/leave")
    await bot.press(SAM, confirm, "Yes, delete my data")
    assert await bot.services.journey.member_data(SAM) == {
        "skills": [],
        "hidden_from_journey": [],
    }


async def test_someone_who_has_not_joined_is_told_how_to_join(bot: RunningBot) -> None:
    bot.emu.add_user(JO, "Jo")

    reply = await bot.say(JO, "/journey")

    assert "This is for forum members. Send /start to join." in reply.text
