-- Consultations: quick polls, who was invited, what they chose, their comments, and the
-- anonymous counts kept when one closes. Times are ISO 8601 text in UTC.

CREATE TABLE consultations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    question        TEXT    NOT NULL,
    multiple        INTEGER NOT NULL DEFAULT 0,         -- 1: several answers may be chosen
    ask_comment     INTEGER NOT NULL DEFAULT 0,         -- 1: "tell us more" after answering
    audience_scope  TEXT    NOT NULL CHECK (audience_scope IN ('everyone', 'region', 'hub')),
    audience_place  TEXT,                               -- region or hub id; NULL for everyone
    member_note     TEXT    NOT NULL DEFAULT '',        -- who reads the results, in plain words
    show_results    TEXT    NOT NULL DEFAULT 'after_close'
                    CHECK (show_results IN ('after_close', 'while_open', 'never')),
    opens_at        TEXT    NOT NULL,
    closes_at       TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'scheduled'
                    CHECK (state IN ('scheduled', 'open', 'closed', 'cancelled')),
    nudge_state     TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (nudge_state IN ('pending', 'sent', 'skipped')),
    results_sent    INTEGER NOT NULL DEFAULT 0,         -- the results pack was queued
    created_by      INTEGER,                            -- Telegram id; NULL once erased
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    closed_at       TEXT
);
CREATE INDEX consultations_by_state ON consultations (state, closes_at);

CREATE TABLE consultation_options (
    consultation_id  INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,                  -- 0, 1, 2 ... in the order shown
    label            TEXT    NOT NULL,
    PRIMARY KEY (consultation_id, position)
);

-- Decision-makers chosen to receive the results (coordinators always do).
CREATE TABLE consultation_readers (
    consultation_id  INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    telegram_id      INTEGER NOT NULL,
    PRIMARY KEY (consultation_id, telegram_id)
);
CREATE INDEX consultation_readers_by_person ON consultation_readers (telegram_id);

-- One row per invited member. Region and hub are taken when invited, for the breakdown.
CREATE TABLE consultation_invites (
    consultation_id  INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    member_id        INTEGER NOT NULL,
    region_id        TEXT    NOT NULL DEFAULT '',
    hub_id           TEXT    NOT NULL DEFAULT '',
    answered_at      TEXT,                              -- NULL until they answer (or press Done)
    PRIMARY KEY (consultation_id, member_id)
);
CREATE INDEX consultation_invites_by_member ON consultation_invites (member_id);

-- What each member chose: one row per chosen answer.
CREATE TABLE consultation_choices (
    consultation_id  INTEGER NOT NULL,
    member_id        INTEGER NOT NULL,
    position         INTEGER NOT NULL,
    PRIMARY KEY (consultation_id, member_id, position),
    FOREIGN KEY (consultation_id, member_id)
        REFERENCES consultation_invites (consultation_id, member_id) ON DELETE CASCADE
);

CREATE TABLE consultation_comments (
    consultation_id  INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    member_id        INTEGER NOT NULL,
    text             TEXT    NOT NULL,
    written_at       TEXT    NOT NULL,
    PRIMARY KEY (consultation_id, member_id)
);
CREATE INDEX consultation_comments_by_member ON consultation_comments (member_id);

-- Counts kept when a consultation closes, by region and hub, with no link to anyone.
CREATE TABLE consultation_result_places (
    consultation_id  INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    region_id        TEXT    NOT NULL,
    hub_id           TEXT    NOT NULL,
    invited          INTEGER NOT NULL,
    answered         INTEGER NOT NULL,
    PRIMARY KEY (consultation_id, region_id, hub_id)
);

CREATE TABLE consultation_result_counts (
    consultation_id  INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    region_id        TEXT    NOT NULL,
    hub_id           TEXT    NOT NULL,
    position         INTEGER NOT NULL,
    count            INTEGER NOT NULL,
    PRIMARY KEY (consultation_id, region_id, hub_id, position)
);

-- "You said, we did": what came of a consultation, sent to everyone invited.
CREATE TABLE consultation_followups (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id  INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    text             TEXT    NOT NULL,
    created_by       INTEGER,
    created_at       TEXT    NOT NULL,
    broadcast_id     INTEGER
);
CREATE INDEX consultation_followups_by_consultation ON consultation_followups (consultation_id);
