"""The sandbox through its JSON API, without a browser: the real bot answering the page's calls."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from telegram.error import BadRequest

from bot.delivery import Audience
from bot.services.consultations.rules import ConsultationDraft
from bot.texts import Texts
from config.settings import Settings
from emulator.html_parser import parse_html
from sandbox.personas import READY
from sandbox.runtime import DEFAULT_DATABASE, SANDBOX_TOKEN, Sandbox
from storage.roles import DECISION_MAKER
from tests.sandbox.conftest import (
    CASEY,
    DANA,
    JORDAN,
    PRIYA,
    SAM,
    Message,
    Person,
    join,
    labels,
    tiny_png,
)

pytestmark = pytest.mark.timeout(60)


async def test_the_page_and_its_files_are_served_locally(client: TestClient) -> None:
    page = await client.get("/")
    html = await page.text()
    assert page.status == 200
    assert "/static/app.js" in html
    assert "http://" not in html and "https://" not in html  # no CDN: everything is local
    for name in ("app.js", "style.css"):
        assert (await client.get(f"/static/{name}")).status == 200


async def test_the_ready_people_and_the_decision_maker_role(
    client: TestClient, sandbox: Sandbox
) -> None:
    state = await (await client.get("/api/state")).json()
    names = [person["first_name"] for person in state["people"]]
    assert names == ["Sam", "Priya", "Jordan", "Casey", "Dana"]
    assert DECISION_MAKER in await sandbox.services.roles.roles_of(DANA)
    assert await sandbox.services.roles.is_coordinator(CASEY)


async def test_a_person_joins_by_pressing_buttons(client: TestClient, sandbox: Sandbox) -> None:
    await join(Person(client, SAM), "North West")
    member = await sandbox.services.members.require(SAM)
    assert member.region_id == "north_west"
    assert member.hub_id == "nw_hub_1"


async def test_a_crisis_phrase_gets_the_crisis_reply(client: TestClient) -> None:
    jordan = Person(client, JORDAN)
    await jordan.say("I want to kill myself")
    # Every crisis reply, whatever its kind, keeps 999 and Samaritans (docs/design.md).
    reply = await jordan.wait_text("116 123")
    assert "999" in reply["html"]


async def test_a_coordinator_broadcast_reaches_a_member(client: TestClient) -> None:
    sam, casey = Person(client, SAM), Person(client, CASEY)
    await join(sam, "North West")
    await casey.say("/broadcast")
    ask = await casey.wait_for(lambda m: "Everyone" in labels(m))
    await casey.press(ask, "Everyone")
    await casey.wait_text("write your message")
    await casey.say("The Midlands hub meets on Friday <3")
    summary = await casey.wait_for(lambda m: any("Send now" in b for b in labels(m)))
    await casey.press(summary, "Send now")
    seen = await sam.wait_text("The Midlands hub meets on Friday &lt;3")
    assert seen["from_bot"]


async def test_buttons_that_are_not_there_are_refused(client: TestClient) -> None:
    await Person(client, PRIYA).say("/start")
    body = {"user_id": PRIYA, "message_id": 999, "data": "consent:yes"}
    assert (await client.post("/api/press", json=body)).status == 400
    body = {"user_id": 12345, "text": "hello"}
    assert (await client.post("/api/send", json=body)).status == 400


async def test_fast_forward_ends_a_pause(client: TestClient, sandbox: Sandbox) -> None:
    sam = Person(client, SAM)
    await join(sam, "North West")
    await sandbox.services.members.pause(SAM, 2)
    before = (await (await client.get("/api/state")).json())["clock"]
    answer = await client.post("/api/clock", json={"seconds": 15 * 24 * 3600})
    state = await answer.json()
    assert "end-pauses" in state["ran"]
    assert state["clock"] != before
    ended = sandbox.services.texts.raw("settings.pause_ended").splitlines()[0]
    await sam.wait_text(ended)
    bad = await client.post("/api/clock", json={"seconds": -5})
    assert bad.status == 400


async def test_text_keys_can_be_shown(client: TestClient) -> None:
    priya = Person(client, PRIYA)
    state = await (await client.post("/api/show_keys", json={"on": True})).json()
    assert state["show_keys"] is True
    await priya.say("/help")
    await priya.wait_text("<code>[")
    await client.post("/api/show_keys", json={"on": False})


async def test_reset_starts_afresh(client: TestClient, sandbox: Sandbox) -> None:
    sam = Person(client, SAM)
    await join(sam, "North West")
    added = await (await client.post("/api/people", json={"first_name": "Alex"})).json()
    assert added["person"]["first_name"] == "Alex"
    answer = await client.post("/api/reset", json={})
    assert answer.status == 200
    assert await sam.chat() == []
    assert await sandbox.services.members.get(SAM) is None
    names = [p["first_name"] for p in (await answer.json())["people"]]
    assert "Alex" not in names
    assert DECISION_MAKER in await sandbox.services.roles.roles_of(DANA)
    await sam.say("/start")
    await sam.wait_for(lambda m: "Yes, I agree" in labels(m))


async def test_the_sandbox_database_is_never_the_real_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "forum.db"))
    monkeypatch.setenv("BOT_TOKEN", "987654:REAL-token-abcdefghijklmnopqrst")
    assert Path("data/sandbox.db") == DEFAULT_DATABASE
    assert Settings(_env_file=None).database_path != DEFAULT_DATABASE
    sandbox = Sandbox(tmp_path / "sandbox.db")
    sandbox.emu.port = 1  # settings need the emulator's address; nothing is contacted
    built = sandbox.settings()
    assert built.database_path == tmp_path / "sandbox.db"
    assert built.bot_token.get_secret_value() == SANDBOX_TOKEN
    assert built.bot_api_base_url.startswith("http://127.0.0.1:")


async def test_only_loopback_hosts_and_json_posts(client: TestClient) -> None:
    foreign = await client.get("/api/state", headers={"Host": "evil.example:8080"})
    assert foreign.status == 403
    form = await client.post("/api/send", data="user_id=1&text=hi")
    assert form.status == 415


async def test_the_sandbox_advance_moves_only_forward(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError):
        await sandbox.advance(timedelta(seconds=-1))


async def test_fast_forward_closes_a_consultation_and_dana_gets_the_results(
    client: TestClient, sandbox: Sandbox
) -> None:
    sam, dana = Person(client, SAM), Person(client, DANA)
    await join(sam, "North West")
    # Dana never writes to the bot: the sandbox opened her chat at launch, as every persona's,
    # and the emulator lets a bot write only to people who have.
    assert await dana.chat() == []
    clock = sandbox.services.clock
    draft = ConsultationDraft(
        question="Should hub meetings move to evenings?",
        options=("Yes", "No", "Not sure"),
        multiple=False,
        ask_comment=False,
        audience=Audience("everyone"),
        closes_at=clock.now() + timedelta(days=2),
        member_note="Coordinators and Dana read the results, without names.",
        readers=(DANA,),
    )
    await sandbox.services.consultations.create(CASEY, draft)
    question = await sam.wait_for(lambda m: "Yes" in labels(m))
    await client.post("/api/show_keys", json={"on": True})
    pressed = await sam.press(question, "Yes")
    assert pressed["answer"] == sandbox.services.texts.plain("polls.saved")
    assert pressed["answer_keys"] == ["polls.saved"]  # the note on screen names its key too
    await sam.wait_text("Your answer: <b>Yes</b>")

    state = await (await client.post("/api/clock", json={"seconds": 3 * 24 * 3600})).json()
    assert "consultations" in state["ran"]
    pack = await dana.wait_for(lambda m: "Results" in m["html"] + m["caption"])
    assert "fewer than 5" in pack["html"] + pack["caption"]  # one answer: never shown as 1


KEY_MARK = re.compile(r"\[([a-z0-9_]+(?:\.[a-z0-9_]+)+)\] ")


def seen_text(message: Message) -> str:
    """What a person reads in a bot message: Telegram's plain text after its HTML."""
    return parse_html(message["html"] or message["caption"])[0]


def keyed_parts(text: str) -> list[tuple[str, str]]:
    """Each shown key with the words from it up to the next key."""
    marks = list(KEY_MARK.finditer(text))
    ends = [mark.start() for mark in marks[1:]] + [len(text)]
    return [(mark[1], text[mark.end() : end]) for mark, end in zip(marks, ends, strict=True)]


def words_of(texts: Texts, key: str) -> re.Pattern[str]:
    """A catalogue entry as a pattern of what a person reads, any value in its placeholders."""
    raw = html.unescape(re.sub(r"<[^>]*>", "", texts.raw(key)))
    pieces = re.split(r"(\{\{|\}\}|\{[a-z_]+\})", raw)
    pattern = "".join(
        re.escape(p[0]) if p in ("{{", "}}") else ".+?" if p.startswith("{") else re.escape(p)
        for p in pieces
    )
    return re.compile(pattern, re.DOTALL)


async def test_with_keys_shown_each_key_starts_the_line_of_its_own_text(
    client: TestClient, sandbox: Sandbox
) -> None:
    """The tester's /support list, where `support.entry_helps` sat above the "Web:" line."""
    priya = Person(client, PRIYA)
    await client.post("/api/show_keys", json={"on": True})
    await priya.say("/support")
    needs = await priya.wait_for(lambda m: "Mental health" in labels(m))
    # A need's name comes from the directory, not the catalogue: its button has no key.
    need_button = next(b for row in needs["buttons"] for b in row if b["text"] == "Mental health")
    assert need_button["keys"] == []
    await priya.press(needs, "Mental health")
    listing = await priya.wait_text("support.entry_web")
    lines = seen_text(listing).splitlines()

    web_lines = [line for line in lines if "Web: https://" in line]
    assert web_lines and all(line.startswith("[support.entry_web] Web: ") for line in web_lines)
    names = [i for i, line in enumerate(lines) if line.startswith("[support.entry_name] ")]
    assert names and all(lines[i + 1].startswith("[support.entry_helps] ") for i in names)
    assert not any(KEY_MARK.fullmatch(line + " ") for line in lines)  # no key on a line alone
    texts = sandbox.services.texts
    for key, words in keyed_parts(seen_text(listing)):
        assert words_of(texts, key).fullmatch(words.strip()), (key, words)

    # The catalogue's buttons carry their keys too; a need's name comes from the directory.
    keys = {b["text"]: b["keys"] for row in listing["buttons"] for b in row}
    assert keys[texts.plain("buttons.menu")] == ["buttons.menu"]

    await client.post("/api/show_keys", json={"on": False})
    assert all(b["keys"] == [] for m in await priya.chat() for row in m["buttons"] for b in row)


async def test_every_ready_person_has_opened_the_bots_chat_at_launch(
    client: TestClient, sandbox: Sandbox
) -> None:
    bot = sandbox.app.bot
    for persona in READY:
        person = Person(client, persona.user_id)
        assert await person.chat() == []  # opened, and nothing said on their behalf
        await bot.send_message(persona.user_id, "Hello from the bot")
        await person.wait_text("Hello from the bot")
    # Someone added later has not opened it: Telegram's rule still holds for them.
    added = await (await client.post("/api/people", json={"first_name": "Alex"})).json()
    with pytest.raises(BadRequest, match="not found"):
        await bot.send_message(added["person"]["user_id"], "Hello")
    # After a reset the ready people have opened it again.
    await client.post("/api/reset", json={})
    await sandbox.app.bot.send_message(DANA, "Hello again")
    await Person(client, DANA).wait_text("Hello again")


async def test_message_times_are_the_bots_clock_in_its_time_zone(client: TestClient) -> None:
    priya = Person(client, PRIYA)
    await priya.say("/help")
    first = await priya.wait_text("/help")
    mine = next(m for m in await priya.chat() if not m["from_bot"])
    for message in (mine, first):  # the bot's clock starts at 14:30 UK time, 10 December 2026
        assert (message["day"], message["time"]) == ("Thursday 10 December 2026", "14:30")

    await client.post("/api/clock", json={"seconds": 24 * 3600 + 15 * 60})
    await priya.say("/help")
    await priya.wait_for(lambda m: m["day"] == "Friday 11 December 2026")
    latest = (await priya.chat())[-2:]
    assert [(m["day"], m["time"]) for m in latest] == [("Friday 11 December 2026", "14:45")] * 2


async def test_in_summer_the_times_are_british_summer_time(tmp_path: Path) -> None:
    summer = Sandbox(tmp_path / "summer.db", clock_start=datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    await summer.start()
    try:
        await summer.send_text(SAM, "/help")
        await summer.emu.wait_for_message(SAM)
        views = summer.chat(SAM)["messages"]
        assert [(m["day"], m["time"]) for m in views[:2]] == [
            ("Wednesday 1 July 2026", "10:00")
        ] * 2
    finally:
        await summer.stop()


async def test_the_fast_forward_note_says_in_plain_words_what_happened(client: TestClient) -> None:
    answer = await (await client.post("/api/clock", json={"seconds": 24 * 3600})).json()
    assert answer["note"] == (
        "Moved the bot's clock on by 1 day. It is now Friday 11 December, 14:30. "
        "Anything the bot was due to do by then, like reminders, is being done now."
    )
    assert answer["clock"] == "Friday 11 December 2026, 14:30"
    assert answer["ran"]  # the jobs are still listed for tests, just not in the note
    assert not any(name in answer["note"] for name in answer["ran"])
    week = await (await client.post("/api/clock", json={"seconds": 7 * 24 * 3600})).json()
    assert week["note"].startswith("Moved the bot's clock on by 1 week. It is now Friday 18 Dec")


async def start_a_broadcast(person: Person) -> None:
    """/broadcast to everyone, up to the step that asks for the message."""
    await person.say("/broadcast")
    ask = await person.wait_for(lambda m: "Everyone" in labels(m), after=await person.last_id())
    await person.press(ask, "Everyone")
    await person.wait_text("write your message", after=ask["id"] - 1)  # an edit, or a new one


async def test_a_person_added_here_sends_a_photo_and_a_file_for_a_broadcast(
    client: TestClient, sandbox: Sandbox
) -> None:
    sam, casey = Person(client, SAM), Person(client, CASEY)
    await join(sam, "North West")
    added = (await (await client.post("/api/people", json={"first_name": "Alex"})).json())["person"]
    assert str(added["user_id"]) in added["hint"]  # so a coordinator can /grant them a role
    alex = Person(client, added["user_id"])
    await alex.say("/start")
    await casey.say(f"/grant {alex.user_id} coordinator")
    await casey.wait_text(f"{alex.user_id} is now a")

    await start_a_broadcast(alex)
    sent = await alex.send_file("hub.png", tiny_png(), "image/png", "Our new hub room", photo=True)
    assert sent["sent_as"] == "photo"
    mine = [m for m in await alex.chat() if not m["from_bot"]][-1]
    assert mine["photo"] is not None and mine["caption"] == "Our new hub room"
    preview = await alex.wait_for(
        lambda m: any("Send now" in b for b in labels(m)), after=mine["id"]
    )
    shown = await alex.wait_for(lambda m: m["photo"] is not None, after=mine["id"])
    assert shown["caption"] == "Our new hub room"  # the preview shows the picture as it will go
    await alex.press(preview, "Send now")
    got = await sam.wait_for(lambda m: m["photo"] is not None)
    assert "Our new hub room" in got["caption"]
    picture = await client.get(got["photo"]["url"])
    assert picture.status == 200 and (await picture.read()).startswith(b"\x89PNG")

    # A file that is not a picture goes as a file, with its name.
    await start_a_broadcast(alex)
    notes = b"Agenda: 1. Welcome 2. Travel costs"
    sent = await alex.send_file("agenda.txt", notes, "text/plain", "The agenda", photo=True)
    assert sent["sent_as"] == "document"
    preview = await alex.wait_for(
        lambda m: any("Send now" in b for b in labels(m)), after=await alex.last_id()
    )
    await alex.press(preview, "Send now")
    got = await sam.wait_for(lambda m: m["document"] is not None)
    assert got["document"]["name"] == "agenda.txt"
    assert await (await client.get(got["document"]["url"])).read() == notes


async def test_files_that_cannot_be_sent_are_refused_plainly(client: TestClient) -> None:
    body = {"user_id": SAM, "name": "a.txt", "data": "not base64!", "photo": False}
    bad = await client.post("/api/send_file", json=body)
    assert bad.status == 400 and "did not arrive whole" in (await bad.json())["error"]
    empty = await client.post("/api/send_file", json={**body, "data": ""})
    assert empty.status == 400
    stranger = await client.post("/api/send_file", json={**body, "user_id": 5, "data": "aGk="})
    assert stranger.status == 400


async def test_the_page_has_an_icon(client: TestClient) -> None:
    page = await (await client.get("/")).text()
    assert 'rel="icon" href="/static/favicon.svg"' in page
    for path in ("/favicon.ico", "/static/favicon.svg"):
        icon = await client.get(path)
        assert icon.status == 200, path
        assert icon.content_type == "image/svg+xml"
        assert (await icon.text()).lstrip().startswith("<svg")
