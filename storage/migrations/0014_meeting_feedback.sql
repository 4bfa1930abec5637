-- After-meeting feedback surveys.
--
-- A meeting may send a short survey (a file in config/surveys/) to those marked as came, an
-- hour after it ends, open for two days. The survey is an ordinary row of `surveys`; its
-- audience is the list of members who came, not a place, so the link to the meeting is kept
-- here and the survey's opening step invites those members. No person is named here.
-- Times are ISO 8601 text in UTC.

CREATE TABLE meeting_feedback (
    meeting_id  INTEGER PRIMARY KEY REFERENCES meetings (id) ON DELETE CASCADE,
    file_key    TEXT    NOT NULL,                   -- the survey file's name without .yaml
    state       TEXT    NOT NULL DEFAULT 'waiting'
                CHECK (state IN ('waiting', 'opened', 'expired', 'failed')),
    survey_id   INTEGER UNIQUE REFERENCES surveys (id), -- set once, when it is opened
    updated_at  TEXT    NOT NULL
);
CREATE INDEX meeting_feedback_waiting ON meeting_feedback (state) WHERE state = 'waiting';

-- A repeating series' choice, carried to each meeting it makes.
CREATE TABLE meeting_series_feedback (
    series_id  INTEGER PRIMARY KEY REFERENCES meeting_series (id) ON DELETE CASCADE,
    file_key   TEXT    NOT NULL
);
