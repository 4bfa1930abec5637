"""The sandbox through its JSON API, without a browser: the real bot answering the page's calls."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot.delivery import Audience
from bot.services.consultation_rules import PollDraft
from config.settings import Settings
from sandbox.runtime import DEFAULT_DATABASE, SANDBOX_TOKEN, Sandbox
from storage.roles import DECISION_MAKER
from tests.sandbox.conftest import CASEY, DANA, JORDAN, PRIYA, SAM, Person, join, labels

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


async def test_a_crisis_phrase_gets_the_crisis_reply(client: TestClient, sandbox: Sandbox) -> None:
    jordan = Person(client, JORDAN)
    await jordan.say("I want to kill myself")
    first_line = sandbox.services.texts.raw("crisis.reply").splitlines()[0]
    reply = await jordan.wait_text(first_line)
    assert "116 123" in reply["html"]


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
    await dana.say("/start")  # the bot can only write to people who have opened its chat
    clock = sandbox.services.clock
    draft = PollDraft(
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
    await sam.press(question, "Yes")
    await sam.wait_text("Your answer: <b>Yes</b>")

    state = await (await client.post("/api/clock", json={"seconds": 3 * 24 * 3600})).json()
    assert "consultations" in state["ran"]
    pack = await dana.wait_for(lambda m: "Results" in m["html"] + m["caption"])
    assert "fewer than 5" in pack["html"] + pack["caption"]  # one answer: never shown as 1
