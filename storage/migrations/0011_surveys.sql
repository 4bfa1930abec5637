-- Surveys: multi-question surveys opened from files in config/surveys/, who was asked, where
-- each member is while answering, and the finished responses. Times are ISO 8601 text in UTC.
--
-- Anonymity: a finished response of an anonymous survey has no member and no time, and its
-- id is random (WITHOUT ROWID: no insertion order either). Against the person only
-- "finished" is kept, for the nudge, and every invitation row goes at closing.

CREATE TABLE surveys (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    file_key        TEXT    NOT NULL,                   -- the file's name without .yaml
    title           TEXT    NOT NULL,
    definition      TEXT    NOT NULL,                   -- the questions as JSON, as opened
    anonymous       INTEGER NOT NULL,
    audience_scope  TEXT    NOT NULL CHECK (audience_scope IN ('everyone', 'region', 'hub')),
    audience_place  TEXT,                               -- region or hub id; NULL for everyone
    opens_at        TEXT    NOT NULL,
    closes_at       TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'scheduled'
                    CHECK (state IN ('scheduled', 'open', 'closed', 'cancelled')),
    nudge_state     TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (nudge_state IN ('pending', 'sent', 'skipped')),
    results_sent    INTEGER NOT NULL DEFAULT 0,         -- the results pack was queued
    invited_count   INTEGER,                            -- members asked, kept at closing
    created_by      INTEGER,                            -- Telegram id; NULL once erased
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    closed_at       TEXT
);
CREATE INDEX surveys_by_state ON surveys (state, closes_at);

-- Decision-makers chosen to receive the results (coordinators always do).
CREATE TABLE survey_readers (
    survey_id    INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    telegram_id  INTEGER NOT NULL,
    PRIMARY KEY (survey_id, telegram_id)
);
CREATE INDEX survey_readers_by_person ON survey_readers (telegram_id);

-- One row per member asked. No times: a time could be matched to a response.
CREATE TABLE survey_invites (
    survey_id  INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    member_id  INTEGER NOT NULL,
    agreed     INTEGER NOT NULL DEFAULT 0,              -- 1: read the consent screen and agreed
    finished   INTEGER NOT NULL DEFAULT 0               -- 1: finished; 2: took their answers back
               CHECK (finished IN (0, 1, 2)),
    PRIMARY KEY (survey_id, member_id)
);
CREATE INDEX survey_invites_by_member ON survey_invites (member_id);

-- Where a member is while answering; gone once they finish, withdraw or leave, and at closing
-- (unfinished answers are never counted).
CREATE TABLE survey_progress (
    survey_id   INTEGER NOT NULL,
    member_id   INTEGER NOT NULL,
    path        TEXT    NOT NULL DEFAULT '[]',           -- question ids answered or skipped, in order
    answers     TEXT    NOT NULL DEFAULT '{}',           -- question id -> answer (null: skipped)
    pending     TEXT    NOT NULL DEFAULT '[]',           -- ticks of a several-choices question
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (survey_id, member_id),
    FOREIGN KEY (survey_id, member_id)
        REFERENCES survey_invites (survey_id, member_id) ON DELETE CASCADE
);
CREATE INDEX survey_progress_by_member ON survey_progress (member_id, updated_at);

-- Finished responses: a random id, and the member only for a survey that is not anonymous.
CREATE TABLE survey_responses (
    id         TEXT    NOT NULL PRIMARY KEY,             -- secrets.token_urlsafe(16)
    survey_id  INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    member_id  INTEGER                                   -- NULL for an anonymous survey
) WITHOUT ROWID;
CREATE INDEX survey_responses_by_survey ON survey_responses (survey_id);
CREATE INDEX survey_responses_by_member ON survey_responses (member_id);

CREATE TABLE survey_answers (
    response_id  TEXT NOT NULL REFERENCES survey_responses (id) ON DELETE CASCADE,
    question_id  TEXT NOT NULL,
    value        TEXT NOT NULL,                         -- the answer as JSON; null: skipped
    PRIMARY KEY (response_id, question_id)
) WITHOUT ROWID;
