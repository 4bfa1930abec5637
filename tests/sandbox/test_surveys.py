"""The sandbox's Surveys panel: any survey file shown as a member would see it (consent, every
question with its buttons, skip rules in plain words) or, for a broken file, what to fix and on
which line; through the JSON API and in a real browser."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from config.settings import CONFIG_DIR
from sandbox.runtime import Sandbox
from sandbox.web import SANDBOX_KEY, build_web_app
from tests.conftest import START
from tests.sandbox.test_browser import page  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.timeout(90)

EXAMPLE = CONFIG_DIR / "surveys" / "example.yaml"
BROKEN = """\
title: Meeting times
audience: hub
anonymous: no
consent:
  purpose: To pick better meeting times.
  who_runs: The hub coordinators.
  who_sees: Coordinators.
  kept_for: Three months.
questions:
  - id: when
    kind: choice
    text: Which time suits you?
    options:
      morning: Mornings
      evening: Evenings
  - id: why
    kind: text
    text: Why?
    show_if:
      question: wen
      any_of: [evening]
"""


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    """The sandbox's page, its survey folder holding the example and a broken file.

    The broken file is written once the bot runs, as when someone edits a file during a
    session: at launch a broken file stops the sandbox, with the file and line, like any data
    file (tests/surveys/test_files_startup.py)."""
    folder = tmp_path / "surveys"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "example.yaml")
    running = Sandbox(tmp_path / "sandbox.db", clock_start=START, surveys_dir=folder)
    await running.start()
    (folder / "meeting_times.yaml").write_text(BROKEN, encoding="utf-8")
    try:
        server = TestServer(build_web_app(running), host="127.0.0.1")
        async with TestClient(server) as http:
            yield http
    finally:
        await running.stop()


async def get(client: TestClient, path: str, status: int = 200) -> dict[str, Any]:
    """A JSON answer from the sandbox."""
    response = await client.get(path)
    assert response.status == status, await response.text()
    return await response.json()


async def test_the_panel_lists_each_file_with_its_title_or_that_it_needs_fixing(
    client: TestClient,
) -> None:
    listed = await get(client, "/api/surveys")
    assert [(s["key"], s["title"]) for s in listed["surveys"]] == [
        ("example", "Getting help in a crisis"),
        ("meeting_times", None),
    ]
    assert listed["surveys"][0]["error"] is None
    assert "Did you mean 'when'?" in listed["surveys"][1]["error"]


async def test_a_survey_is_shown_as_a_member_sees_it(client: TestClient) -> None:
    shown = await get(client, "/api/surveys/example")
    assert shown["error"] is None and shown["title"] == "Getting help in a crisis"
    assert shown["about"][0] == "For: Everyone in the forum"
    assert (
        "7 questions, 3 of them can be skipped, 4 shown only after some answers" in shown["about"]
    )
    consent, *questions = shown["messages"]
    # The consent screen in the author's words and the bot's own, with its two buttons.
    assert "We want to understand why some people go back" in consent["html"]
    assert "peer researchers, with support from the forum" in consent["html"]
    assert [b["text"] for row in consent["buttons"] for b in row] == [
        "I agree, let's start",
        "Not now",
    ]
    assert len(questions) == 7
    first, services, ease, hard = questions[:4]
    # The first question under its heading, with one button per option.
    assert "About getting help" in first["html"] and "In the last 12 months" in first["html"]
    labels = [b["text"] for row in first["buttons"] for b in row]
    assert labels[:5] == [
        "No",
        "Yes, once",
        "Yes, 2 to 5 times",
        "Yes, more than 5 times",
        "I'd rather not say",
    ]
    assert "Needs an answer (it cannot be skipped)." in first["notes"]
    # Skip rules in plain words, naming the question they hang on.
    assert (
        'Asked only when question 1 ("In the last 12 months, have you used a crisis service?'
        in services["notes"][1]
    )
    assert services["notes"][1].endswith(
        'is answered "Yes, once", "Yes, 2 to 5 times" or "Yes, more than 5 times".'
    )
    assert [b["text"] for b in ease["buttons"][0]] == ["1", "2", "3", "4", "5"]
    assert "About getting help" not in ease["html"]  # the heading shows once, at its start
    assert hard["notes"][0] == "Can be skipped."
    assert hard["notes"][1].startswith("Asked only when the answer to question 3")
    assert hard["notes"][1].endswith("is 2 or less.")
    assert any(b["text"] == "Skip" for row in hard["buttons"] for b in row)
    assert all(b["text"] != "Skip" for row in first["buttons"] for b in row)
    assert "What would help" in questions[5]["html"]
    # Nothing in a preview can answer anything.
    assert all(
        b.get("data") is None for m in shown["messages"] for row in m["buttons"] for b in row
    )


async def test_a_broken_file_shows_what_to_fix_and_on_which_line(client: TestClient) -> None:
    shown = await get(client, "/api/surveys/meeting_times")
    assert shown["messages"] == []
    assert "meeting_times.yaml" in shown["error"]
    assert "line 19: show_if names 'wen', but no question has that id." in shown["error"]


async def test_an_edit_shows_at_once_and_a_missing_file_is_not_found(client: TestClient) -> None:
    folder = client.app[SANDBOX_KEY].services.settings.surveys_dir
    (folder / "meeting_times.yaml").write_text(
        BROKEN.replace("question: wen", "question: when"), encoding="utf-8"
    )
    shown = await get(client, "/api/surveys/meeting_times")
    assert shown["error"] is None
    assert shown["messages"][2]["notes"][1] == (
        'Asked only when question 1 ("Which time suits you?") is answered "Evenings".'
    )
    for key in ("nothing_here", "..%2Fsecrets", "Example"):
        missing = await get(client, f"/api/surveys/{key}", status=404)
        assert missing == {"ok": False, "error": "no such survey file"}
    # A file with a wrong name is listed and shown with what to do about it.
    (folder / "Meeting Times.yml").write_text(BROKEN, encoding="utf-8")
    listed = await get(client, "/api/surveys")
    assert listed["surveys"][0]["file"] == "Meeting Times.yml"
    shown = await get(client, "/api/surveys/Meeting%20Times")
    assert "must end in .yaml. Rename it." in shown["error"]


async def test_the_survey_panel_in_the_browser(page: Any) -> None:  # noqa: F811
    await page.locator("#surveys button", has_text="Getting help in a crisis").click()
    await page.locator("#survey-view .survey-what", has_text="Question 7").wait_for()
    assert await page.locator("#survey-title").text_content() == "Getting help in a crisis"
    await page.locator("#survey-view .buttons button", has_text="Yes, once").first.click()
    await page.locator("#toast", has_text="This is a preview").wait_for()
    await page.click("#survey-close")
    await page.locator("#survey-view").wait_for(state="hidden")
    broken = page.locator("#surveys button.broken")
    await broken.click()
    await page.locator(".survey-error", has_text="line 19").wait_for()
