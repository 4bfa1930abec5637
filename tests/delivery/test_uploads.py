"""Files the bot made itself (a results chart, a CSV) sent through the delivery engine.

The bytes are stored with the broadcast, uploaded once as multipart, and every later send
(and every send after a restart) uses the file_id Telegram gave the first upload.
"""

from __future__ import annotations

import asyncio
import base64

import pytest

from bot.delivery import DOCUMENT, PHOTO, FileUpload, Media
from bot.delivery.content import plan, upload_field, with_file_id
from bot.delivery.transport import uploaded_file_id
from emulator import BotApiEmulator
from storage.broadcasts import BroadcastRepository, NewBroadcast, StoredUpload
from storage.db import Database
from tests.conftest import START
from tests.delivery.conftest import TEXT, Engine, wait_for

pytestmark = pytest.mark.timeout(60)

# A valid 1x1 PNG (a single white pixel).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)
CSV = b"option,votes\nMore evening meetings,12\nFewer than 5,fewer than 5\n"
BUTTONS = {"inline_keyboard": [[{"text": "Open results", "callback_data": "res:1"}]]}


def uploads_of(emu: BotApiEmulator, data: bytes) -> int:
    """How many times these bytes reached the emulator as an upload (each is stored once)."""
    return sum(1 for record in emu.state.files.values() if record.data == data)


def chart() -> Media:
    """The results chart as media to upload."""
    return Media(PHOTO, upload=FileUpload("results.png", PNG))


async def test_an_uploaded_chart_reaches_everyone_and_the_bytes_go_once(make_engine) -> None:
    engine: Engine = await make_engine(rate=None)
    members = await engine.members(3)

    broadcast_id = await engine.delivery.enqueue("results", TEXT, members, media=chart())
    status = await engine.finished(broadcast_id)

    assert status.counts.delivered == 3
    file_ids = set()
    for member in members:
        [message] = engine.emu.chat(member).bot_messages
        assert message.photo is not None and message.photo.data == PNG
        assert message.caption_html == TEXT
        file_ids.add(message.photo.file_id)
    # Sends may start together, so more than one could upload; with one in flight at a time
    # (next test) exactly one does. Every message shows a stored, valid file.
    assert 1 <= uploads_of(engine.emu, PNG) <= len(file_ids)
    stored = await engine.db.fetch_value(
        "SELECT media_file_id FROM broadcasts WHERE id = ?", (broadcast_id,)
    )
    assert stored in file_ids


async def test_only_the_first_send_carries_the_bytes(make_engine) -> None:
    engine: Engine = await make_engine(rate=None, in_flight=1)
    members = await engine.members(3)

    broadcast_id = await engine.delivery.enqueue("results", TEXT, members, media=chart())
    status = await engine.finished(broadcast_id)

    assert status.counts.delivered == 3
    assert uploads_of(engine.emu, PNG) == 1
    [file_id] = {engine.emu.chat(m).bot_messages[-1].photo.file_id for m in members}
    stored = await engine.db.fetch_value(
        "SELECT media_file_id FROM broadcasts WHERE id = ?", (broadcast_id,)
    )
    assert stored == file_id
    assert engine.emu.count("sendPhoto", 200) == 3


async def test_a_csv_arrives_with_its_filename_caption_and_buttons(make_engine) -> None:
    engine: Engine = await make_engine(rate=None, in_flight=1)
    members = await engine.members(2)
    media = Media(DOCUMENT, upload=FileUpload("consultation-results.csv", CSV))

    broadcast_id = await engine.delivery.enqueue(
        "results", "The <b>results</b> are attached.", members, media=media, reply_markup=BUTTONS
    )
    status = await engine.finished(broadcast_id)

    assert status.counts.delivered == 2
    for member in members:
        message = engine.emu.chat(member).messages[-1]
        assert message.document is not None
        assert message.document.filename == "consultation-results.csv"
        assert message.document.data == CSV
        assert message.caption_html == "The <b>results</b> are attached."
        assert message.reply_markup == BUTTONS
    assert uploads_of(engine.emu, CSV) == 1


async def test_a_long_text_with_an_uploaded_photo_sends_the_photo_then_the_text(
    make_engine,
) -> None:
    engine: Engine = await make_engine(rate=None)
    members = await engine.members(3)
    text = "Hello from the forum. " + "More news. " * 150

    broadcast_id = await engine.delivery.enqueue(
        "results", text, members, media=chart(), reply_markup=BUTTONS
    )
    status = await engine.finished(broadcast_id)

    assert status.counts.delivered == 3
    for member in members:
        photo, words = engine.emu.chat(member).bot_messages
        assert photo.photo is not None and photo.caption is None and photo.reply_markup is None
        assert words.text is not None and words.text.startswith("Hello from the forum.")
        assert words.reply_markup == BUTTONS


async def test_an_upload_survives_a_restart_before_anything_was_sent(make_engine, db) -> None:
    first: Engine = await make_engine(rate=None)
    members = await first.members(4)
    await first.delivery.stop()
    broadcast_id = await first.delivery.enqueue("results", TEXT, members, media=chart())

    # A new engine (nothing in memory) reads the bytes from the database.
    second: Engine = await make_engine(rate=None, in_flight=1)
    status = await second.finished(broadcast_id)

    assert status.counts.delivered == 4
    assert all(second.emu.chat(m).bot_messages[-1].photo.data == PNG for m in members)
    assert uploads_of(second.emu, PNG) == 1


async def test_rows_left_after_a_stop_mid_broadcast_go_by_the_stored_file_id(
    make_engine, emu
) -> None:
    first: Engine = await make_engine(rate=2, in_flight=1)
    members = await first.members(6)
    broadcast_id = await first.delivery.enqueue("results", TEXT, members, media=chart())
    await wait_for(
        lambda: asyncio.sleep(0, emu.count("sendPhoto", 200) >= 2), 10, "two photos sent"
    )
    await first.delivery.stop()
    rows = await first.rows(broadcast_id)
    left = [member for member, row in rows.items() if row["state"] == "pending"]
    assert left, "the stop came after every row was sent"
    stored = await first.db.fetch_value(
        "SELECT media_file_id FROM broadcasts WHERE id = ?", (broadcast_id,)
    )
    assert stored

    second: Engine = await make_engine(rate=None)
    status = await second.finished(broadcast_id)

    assert status.counts.delivered == 6
    for member in members:
        [message] = emu.chat(member).bot_messages
        assert message.photo.file_id == stored and message.caption_html == TEXT
    assert uploads_of(emu, PNG) == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda: Media(PHOTO),
        lambda: Media(PHOTO, "AgAC-some-file", FileUpload("chart.png", PNG)),
        lambda: Media(PHOTO, ""),
        lambda: Media(PHOTO, upload=FileUpload("chart.png", b"")),
        lambda: Media(DOCUMENT, upload=FileUpload("../results.csv", CSV)),
        lambda: Media(DOCUMENT, upload=FileUpload("reports/results.csv", CSV)),
        lambda: Media(DOCUMENT, upload=FileUpload("reports\\results.csv", CSV)),
        lambda: Media(DOCUMENT, upload=FileUpload("", CSV)),
        lambda: Media("video", upload=FileUpload("clip.mp4", CSV)),
    ],
)
def test_bad_media_is_refused(make) -> None:
    with pytest.raises(ValueError):
        make()


def test_existing_callers_by_file_id_still_work() -> None:
    media = Media(PHOTO, "AgAC-some-file")
    assert media.upload is None
    [call] = plan("A caption", media, None)
    assert call.params["photo"] == "AgAC-some-file" and upload_field(call) is None


def test_the_plan_carries_the_upload_until_a_file_id_replaces_it() -> None:
    upload = FileUpload("results.csv", CSV)
    calls = plan("Results " * 200, Media(DOCUMENT, upload=upload), '{"inline_keyboard":[]}')
    assert [c.method for c in calls] == ["sendDocument", "sendMessage"]
    assert upload_field(calls[0]) == "document" and calls[0].params["document"] is upload

    swapped = with_file_id(calls, "BQAC-doc")

    assert swapped[0].params["document"] == "BQAC-doc"
    assert all(upload_field(call) is None for call in swapped)
    assert swapped[1:] == calls[1:]
    assert repr(CSV) not in repr(upload)  # bytes stay out of logs and reprs


def test_the_largest_photo_size_gives_the_file_id() -> None:
    result = {
        "photo": [
            {"file_id": "small", "width": 90, "height": 60, "file_size": 10},
            {"file_id": "large", "width": 1280, "height": 853, "file_size": 900},
            {"file_id": "medium", "width": 320, "height": 213, "file_size": 100},
        ]
    }
    assert uploaded_file_id(result, "photo") == "large"
    assert uploaded_file_id({"document": {"file_id": "BQAC"}}, "document") == "BQAC"
    assert uploaded_file_id({"photo": []}, "photo") is None
    assert uploaded_file_id(None, "document") is None


async def test_the_bytes_are_stored_in_the_same_transaction_as_the_broadcast(
    db: Database,
) -> None:
    repo = BroadcastRepository(db)
    new = NewBroadcast(
        kind="results",
        text_html=TEXT,
        created_by=None,
        media_kind="photo",
        upload=StoredUpload("results.png", PNG),
    )
    broadcast_id = await repo.create(new, [1, 2], START)
    assert await repo.upload(broadcast_id) == StoredUpload("results.png", PNG)
    assert await repo.set_media_file_id(broadcast_id, "AgAC-first")
    assert not await repo.set_media_file_id(broadcast_id, "AgAC-second")
    assert (await repo.get(broadcast_id)).media_file_id == "AgAC-first"

    # If the delivery rows cannot be written, neither the broadcast nor its file is kept.
    await db.execute(
        "CREATE TEMP TRIGGER no_rows BEFORE INSERT ON deliveries "
        "BEGIN SELECT RAISE(ABORT, 'no rows'); END"
    )
    with pytest.raises(Exception, match="no rows"):
        await repo.create(new, [3], START)
    assert await db.fetch_value("SELECT COUNT(*) FROM broadcasts") == 1
    assert await db.fetch_value("SELECT COUNT(*) FROM broadcast_uploads") == 1

    # Deleting a broadcast deletes its file.
    await db.execute("DROP TRIGGER no_rows")
    await db.execute("DELETE FROM broadcasts WHERE id = ?", (broadcast_id,))
    assert await db.fetch_value("SELECT COUNT(*) FROM broadcast_uploads") == 0
