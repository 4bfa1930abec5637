"""Consultations end to end: the real bot on the emulator. The question arrives with answer
buttons, a tap saves the answer and the message shows it, answers change until closing, a
closed or forged press changes nothing, and at the deadline the results pack (chart, words,
CSV, comments for coordinators) goes out with no count under 5."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import Audience
from bot.results.suppression import protect
from bot.services.consultations import results as consultation_results
from emulator import BotApiEmulator
from tests.consultations.world import (
    CASEY,
    DAYTIME,
    MIDLANDS,
    NW,
    draft,
    invitation,
    seed,
    start_bot,
    whole_pack,
)
from tests.e2e.harness import RunningBot

pytestmark = pytest.mark.timeout(90)


async def test_a_tap_saves_the_answer_and_the_message_shows_it(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultation = await bot.services.consultations.create(CASEY, draft(clock))
        question = await invitation(bot, NW[0])
        assert [row[0] for row in question.buttons] == ["Yes", "No", "Not sure"]
        assert "The national board reads the results" in question.text

        shown = await bot.press(NW[0], question, "No")
        assert "Your answer: No" in shown.text
        assert "✅ No" in [row[0] for row in shown.buttons]
        # The invitation to say more is in the same message, not a message of its own.
        assert "Would you like to tell us more?" in shown.text
        assert "Tell us more" in [row[0] for row in shown.buttons]

        again = await bot.press(NW[0], shown, "Yes")
        assert "Your answer: Yes" in again.text
        results = await bot.services.consultations.tally(consultation)
        assert results.counts == (1, 0, 0)
        assert results.answered == 1
        assert results.invited == len(NW) + len(MIDLANDS)


async def refusals(bot: RunningBot) -> int:
    """How many refused consultation presses the audit log holds."""
    return await bot.services.db.fetch_value(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'consultation.refused'"
    )


async def test_several_answers_toggle_and_done_confirms_and_replays_count_once(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultation = await bot.services.consultations.create(
            CASEY,
            draft(clock, multiple=True, ask_comment=False, options=("Buses", "Trains", "Walk")),
        )
        question = await invitation(bot, NW[1])
        assert [row[0] for row in question.buttons][-1] == "Done"
        one = await bot.press(NW[1], question, "Buses")
        assert "Chosen so far: Buses" in one.text
        # Not counted until Done.
        assert (await bot.services.consultations.tally(consultation)).answered == 0
        two = await bot.press(NW[1], one, "Trains")
        # The same press delivered again (the button as it was) changes nothing more.
        replay = await bot.emu.press_button(NW[1], one, f"cv:{consultation.id}:1:1", forge=True)
        await bot.emu.wait_for_answer(replay, timeout=5)
        done = await bot.press(NW[1], two, "Done")
        assert "Your answer: Buses, Trains" in done.text
        results = await bot.services.consultations.tally(consultation)
        assert results.counts == (1, 1, 0)
        assert results.answered == 1
        # Taking one off after Done keeps the other counted.
        fewer = await bot.press(NW[1], done, "✅ Trains")
        assert "Your answer: Buses" in fewer.text
        assert (await bot.services.consultations.tally(consultation)).counts == (1, 0, 0)


async def test_done_with_nothing_chosen_asks_kindly(tmp_path: Path, emu: BotApiEmulator) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        await bot.services.consultations.create(
            CASEY, draft(clock, multiple=True, ask_comment=False)
        )
        question = await invitation(bot, NW[2])
        reply = await bot.press(NW[2], question, "Done")
        assert "tap at least one answer" in reply.text


@pytest.mark.parametrize(
    "forged",
    ["cv:{id}:7", "cv:{id}:3", "cv:999:0", "cv:{id}:0:2", "cv:{id}", "cv:{id}:x", "cd:999"],
)
async def test_tampered_presses_change_nothing_and_get_a_kind_reply(
    tmp_path: Path, emu: BotApiEmulator, forged: str
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultation = await bot.services.consultations.create(CASEY, draft(clock))
        question = await invitation(bot, NW[0])
        before = await refusals(bot)
        data = forged.format(id=consultation.id)
        await bot.emu.press_button(NW[0], question, data, forge=True)
        reply = await bot.next(NW[0])
        assert "Sorry" in reply.text or "no longer" in reply.text
        assert (await bot.services.consultations.tally(consultation)).answered == 0
        if data in ("cv:999:0", f"cv:{consultation.id}:3", f"cv:{consultation.id}:7", "cd:999"):
            assert await refusals(bot) == before + 1  # recorded


async def test_a_member_not_asked_cannot_answer(tmp_path: Path, emu: BotApiEmulator) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        regional = await bot.services.consultations.create(
            CASEY, draft(clock, audience=Audience("region", "north_west"))
        )
        # A Midlands member forges a press on a North West question.
        anything = await bot.say(MIDLANDS[0], "/menu")
        await bot.emu.press_button(MIDLANDS[0], anything, f"cv:{regional.id}:0", forge=True)
        reply = await bot.next(MIDLANDS[0])
        assert "was not sent to you" in reply.text
        assert (await bot.services.consultations.tally(regional)).answered == 0
        assert await refusals(bot) == 1


async def test_after_the_deadline_a_press_changes_nothing(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultation = await bot.services.consultations.create(
            CASEY, draft(clock, ask_comment=False)
        )
        question = await invitation(bot, NW[0])
        first = await bot.press(NW[0], question, "Yes")
        clock.advance(timedelta(days=2, minutes=1))
        reply = await bot.press(NW[0], first, "No")
        assert "has closed" in reply.text
        await bot.services.consultations.tick()
        kept = await bot.services.consultations.tally(
            await bot.services.consultations.get(consultation.id)
        )
        assert kept.counts == (1, 0, 0)


async def test_comments_are_kept_without_names_and_crisis_words_get_help_first(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultation = await bot.services.consultations.create(CASEY, draft(clock))
        question = await invitation(bot, NW[3])
        shown = await bot.press(NW[3], question, "Yes")
        prompt = await bot.press(NW[3], shown, "Tell us more")
        assert "Please send your message now" in prompt.text
        assert "Skip" in [row[0] for row in prompt.buttons]
        crisis = await bot.say(NW[3], "honestly I want to end my life")
        assert "116 123" in crisis.text  # Samaritans, at once
        assert await bot.services.db.fetch_value("SELECT COUNT(*) FROM consultation_comments") == 0
        saved = await bot.say(NW[3], "Evenings are hard with the buses.")
        assert "We have your comment" in saved.text
        assert (
            await bot.services.db.fetch_value(
                "SELECT text FROM consultation_comments WHERE consultation_id = ?",
                (consultation.id,),
            )
            == "Evenings are hard with the buses."
        )


async def test_at_the_deadline_the_results_pack_goes_out_with_no_count_under_5(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    dana = 910_000_001  # a decision-maker
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        emu.add_user(dana, "Dana")
        emu.chat(dana).started = True
        await bot.services.roles.grant(CASEY, dana, "decision_maker")
        await bot.services.consultations.create(CASEY, draft(clock, readers=(dana,)))
        # Six in North West say yes, one no; both Midlands members say no.
        answers = dict.fromkeys(NW[:6], "Yes") | {NW[6]: "No"} | dict.fromkeys(MIDLANDS, "No")
        shown = {}
        for member_id, label in answers.items():
            question = await invitation(bot, member_id)
            shown[member_id] = await bot.press(member_id, question, label)
        await bot.press(NW[0], shown[NW[0]], "Tell us more")
        await bot.say(NW[0], "More evening sessions please.")
        clock.advance(timedelta(days=2, minutes=1))
        await bot.services.consultations.tick()
        await bot.services.delivery.check()

        casey = await whole_pack(emu, CASEY)
        await whole_pack(emu, dana, comments=False)
        photo = next(m for m in casey if m.photo is not None)
        assert photo.photo.data.startswith(b"\x89PNG")
        assert "Should hub meetings move to evenings?" in photo.caption
        document = next(m for m in casey if m.document is not None)
        rows = list(csv.reader(io.StringIO(document.document.data.decode("utf-8-sig"))))
        assert rows[0][:3] == ["Area", "Asked", "Answered"]
        # Nine answered: under the threshold (10), so "fewer than 10" and no split at all
        # (the Midlands' two both said no; North West's one "No" would stand out too).
        assert rows[1:] == [["Everyone", "9", "fewer than 10", "", "hidden", "hidden", "hidden"]]
        full = next(m for m in casey if m.text and m.text.startswith("Results"))
        assert "By area" not in full.text and "Midlands" not in full.text
        assert "Answered: fewer than 10" in full.text
        comments = next(m for m in casey if m.text and "Comments" in m.text)
        assert "More evening sessions please." in comments.text
        assert "Member" not in comments.text

        dana_texts = [m.text or m.caption or "" for m in emu.chat(dana).messages if m.from_bot]
        assert not any("More evening sessions" in text for text in dana_texts)
        # Members who answered hear what people said, national figures only.
        told = await bot.emu.wait_for_message(
            NW[6], lambda m: bool(m.text and "has closed" in m.text), timeout=10
        )
        assert "So few people answered" in told.text and "No:" not in told.text
        assert "Member" not in told.text


async def test_results_as_answers_come_in_or_never_for_members(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        live = await bot.services.consultations.create(
            CASEY, draft(clock, ask_comment=False, show_results="while_open")
        )
        question = await invitation(bot, NW[0])
        assert "See what people said" not in [row[0] for row in question.buttons]
        shown = await bot.press(NW[0], question, "Yes")
        results = await bot.press(NW[0], shown, "See what people said")
        assert "What people have said so far" in results.text
        assert "So few people answered" in results.text  # one answer so far: no split
        assert "Yes:" not in results.text

        hidden = await bot.services.consultations.create(
            CASEY,
            draft(clock, question="Is the venue easy to reach?", show_results="never"),
        )
        theirs = await invitation(bot, NW[1])
        await bot.emu.press_button(NW[1], theirs, f"cr:{hidden.id}", forge=True)
        refused = await bot.next(NW[1])
        assert "for the forum's coordinators" in refused.text
        await bot.services.consultations.close_now(CASEY, hidden.id)
        await bot.services.consultations.close_now(CASEY, live.id)
        await whole_pack(emu, CASEY)
        told = await bot.emu.wait_for_message(
            NW[0], lambda m: bool(m.text and "has closed" in m.text), timeout=10
        )
        assert "evenings" in told.text  # the one they could see; never the hidden one
        assert not any(
            m.text and "has closed" in m.text and "venue" in m.text
            for m in emu.chat(NW[0]).messages
        )


async def test_have_your_say_lists_open_questions_and_results_with_what_came_of_them(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultations = bot.services.consultations
        done = await consultations.create(CASEY, draft(clock, ask_comment=False))
        await bot.press(NW[0], await invitation(bot, NW[0]), "Yes")
        await consultations.close_now(CASEY, done.id)
        await consultations.follow_up(CASEY, done.id, "Hub meetings move to 6pm from January.")
        await consultations.create(
            CASEY, draft(clock, question="Is the new venue easy to reach?", ask_comment=False)
        )
        menu = await bot.say(NW[0], "/menu")
        say = await bot.press(NW[0], menu, "Have your say")
        labels = [row[0] for row in say.buttons]
        assert any(label.startswith("Is the new venue") for label in labels)
        assert any(label.startswith("Results: Should hub") for label in labels)

        again = await bot.press(NW[0], say, next(x for x in labels if x.startswith("Is the new")))
        assert "Is the new venue easy to reach?" in again.text
        assert "You have not answered yet." in again.text
        results = await bot.press(
            NW[0], say, next(x for x in labels if x.startswith("Results: Should hub"))
        )
        assert "What people said" in results.text
        assert "You said, we did" in results.text
        assert "Hub meetings move to 6pm from January." in results.text


async def test_open_results_are_solved_again_only_when_an_answer_changes_them(
    tmp_path: Path, emu: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Members looking at open results, with nothing new, share one protection (the tables
    are not solved on every press); a new answer is counted and protected afresh."""
    solved: list[int] = []

    def counting(raw, threshold):
        solved.append(raw.answered)
        return protect(raw, threshold)

    monkeypatch.setattr(consultation_results, "protect", counting)
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultations = bot.services.consultations
        live = await consultations.create(
            CASEY, draft(clock, ask_comment=False, show_results="while_open")
        )
        await bot.press(NW[0], await invitation(bot, NW[0]), "Yes")
        first = await consultations.results_for_member(NW[0], live.id)
        again = await consultations.results_for_member(NW[0], live.id)
        assert again == first and solved == [1]
        await bot.press(NW[1], await invitation(bot, NW[1]), "No")
        await consultations.results_for_member(NW[1], live.id)
        assert solved == [1, 2]  # the second answer counted, and protected again
