-- The delivery engine's outbox: one broadcast for each message to many people, and one
-- delivery row for each recipient, written together in one transaction.
-- Times are ISO 8601 text in UTC.

CREATE TABLE broadcasts (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    kind                 TEXT    NOT NULL,              -- 'broadcast', 'meeting_reminder', ...
    created_by           INTEGER,                       -- Telegram id; NULL for the bot itself
    created_at           TEXT    NOT NULL,
    text_html            TEXT    NOT NULL,
    media_kind           TEXT    CHECK (media_kind IN ('photo', 'document')),
    media_file_id        TEXT,
    reply_markup         TEXT,                          -- Bot API JSON, or NULL
    urgent               INTEGER NOT NULL DEFAULT 0,    -- urgent ones go out in quiet hours
    preference           TEXT,                          -- 'news', 'meetings', ... or NULL
    audience             TEXT    NOT NULL DEFAULT '',   -- e.g. 'everyone', 'region:north_west'
    not_before           TEXT,                          -- a chosen start time, or NULL
    state                TEXT    NOT NULL DEFAULT 'queued'
                         CHECK (state IN ('queued', 'sending', 'done', 'cancelled')),
    total                INTEGER NOT NULL,
    started_at           TEXT,
    finished_at          TEXT,
    report_chat_id       INTEGER,                       -- who sees progress and the report
    progress_message_id  INTEGER,
    reported             INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX broadcasts_unfinished ON broadcasts (id) WHERE finished_at IS NULL;
CREATE INDEX broadcasts_by_creator ON broadcasts (created_by);

CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    broadcast_id  INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    recipient_id  INTEGER NOT NULL,                     -- the Telegram chat to send to
    state         TEXT    NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'uncertain',
                                   'cancelled')),
    part          INTEGER NOT NULL DEFAULT 0,           -- parts already delivered
    attempts      INTEGER NOT NULL DEFAULT 0,           -- failed tries (server or network)
    due_at        TEXT,                                 -- retry not before this time
    message_id    INTEGER,                              -- Telegram's id for the last part sent
    reason        TEXT,                                 -- why it failed, was cancelled, is uncertain
    updated_at    TEXT    NOT NULL,
    UNIQUE (broadcast_id, recipient_id)
);
CREATE INDEX deliveries_pending ON deliveries (broadcast_id, id) WHERE state = 'pending';
CREATE INDEX deliveries_sending ON deliveries (id) WHERE state = 'sending';
CREATE INDEX deliveries_by_state ON deliveries (broadcast_id, state, reason);
CREATE INDEX deliveries_by_recipient ON deliveries (recipient_id);
