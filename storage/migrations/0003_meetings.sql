-- Meetings, who answered what, and reminder rows with their due times.
-- Times are ISO 8601 text in UTC.

-- A meeting that repeats: each occurrence is its own meeting row (own answers, own history);
-- the next is made from the latest one once that has started.
CREATE TABLE meeting_series (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    rule        TEXT    NOT NULL CHECK (rule IN ('weekly', 'fortnightly', 'monthly')),
    active      INTEGER NOT NULL DEFAULT 1,
    created_by  INTEGER,                                -- Telegram id; NULL once erased
    created_at  TEXT    NOT NULL
);

CREATE TABLE meetings (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    title             TEXT    NOT NULL,
    starts_at         TEXT    NOT NULL,
    duration_minutes  INTEGER NOT NULL CHECK (duration_minutes > 0),
    place             TEXT    NOT NULL DEFAULT '',      -- an address, or ''
    link              TEXT    NOT NULL DEFAULT '',      -- an online link, or ''
    audience_scope    TEXT    NOT NULL CHECK (audience_scope IN ('everyone', 'region', 'hub')),
    audience_place    TEXT,                             -- region or hub id; NULL for everyone
    notes             TEXT    NOT NULL DEFAULT '',
    state             TEXT    NOT NULL DEFAULT 'scheduled'
                      CHECK (state IN ('scheduled', 'cancelled')),
    series_id         INTEGER REFERENCES meeting_series (id), -- meetings that repeat share one
    created_by        INTEGER,                          -- Telegram id; NULL once erased
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);
CREATE INDEX meetings_by_start ON meetings (starts_at);
CREATE INDEX meetings_by_series ON meetings (series_id);

-- One row per (meeting, member): invited, and their answer once they give one.
CREATE TABLE meeting_rsvps (
    meeting_id   INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    member_id    INTEGER NOT NULL,
    invited      INTEGER NOT NULL DEFAULT 0,
    answer       TEXT    CHECK (answer IN ('going', 'maybe', 'no')),
    answered_at  TEXT,
    attended     INTEGER,                               -- marked after the meeting; NULL not yet
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX meeting_rsvps_by_member ON meeting_rsvps (member_id);

CREATE TABLE meeting_reminders (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id    INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    hours_before  INTEGER NOT NULL,                     -- the setting it came from
    first         INTEGER NOT NULL DEFAULT 0,           -- the first one carries the nudge
    due_at        TEXT    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'sent', 'late', 'missed', 'cancelled')),
    done_at       TEXT,
    broadcast_id  INTEGER
);
CREATE INDEX meeting_reminders_by_meeting ON meeting_reminders (meeting_id);
CREATE INDEX meeting_reminders_due ON meeting_reminders (due_at) WHERE state = 'pending';

-- Attendance kept for reports by region and hub, without names (it outlives erasure).
CREATE TABLE meeting_attendance (
    meeting_id  INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    region_id   TEXT    NOT NULL DEFAULT '',
    hub_id      TEXT    NOT NULL DEFAULT '',
    count       INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, region_id, hub_id)
);
