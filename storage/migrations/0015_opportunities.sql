-- Opportunities (volunteering, mentoring, training, paid involvement, jobs, speaking, peer
-- research), who showed interest, who was chosen, what came of it, and which kinds each member
-- wants to hear about. Contributions a coordinator records (a role at a meeting, a survey
-- designed, a story shared) count towards progression too. Times are ISO 8601 text in UTC.

CREATE TABLE opportunities (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL
                    CHECK (kind IN ('volunteering', 'mentoring', 'training', 'paid', 'job',
                                    'speaking', 'research')),
    title           TEXT    NOT NULL,
    involves        TEXT    NOT NULL,                   -- what it involves
    gives           TEXT    NOT NULL,                   -- what it gives: skills, pay, expenses, a reference
    time_needed     TEXT    NOT NULL,
    place           TEXT    NOT NULL,                   -- a place or "online", as typed
    paid            INTEGER NOT NULL DEFAULT 0,         -- 1: carries the note about benefits
    places          INTEGER,                            -- how many people; NULL: no set number
    audience_scope  TEXT    NOT NULL CHECK (audience_scope IN ('everyone', 'region', 'hub')),
    audience_place  TEXT,                               -- region or hub id; NULL for everyone
    closes_at       TEXT    NOT NULL,                   -- last day to say "I'm interested"
    state           TEXT    NOT NULL DEFAULT 'open'
                    CHECK (state IN ('open', 'closed', 'ended', 'cancelled')),
    created_by      INTEGER,                            -- Telegram id; NULL once erased
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    ended_at        TEXT                                -- when its outcomes were recorded
);
CREATE INDEX opportunities_by_state ON opportunities (state, closes_at);

-- One row per member who said "I'm interested"; withdrawn keeps the row so a coordinator's
-- list stays honest, and leaving deletes it.
CREATE TABLE opportunity_interest (
    opportunity_id  INTEGER NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    member_id       INTEGER NOT NULL,
    note            TEXT,                               -- the member's optional note
    state           TEXT    NOT NULL DEFAULT 'interested'
                    CHECK (state IN ('interested', 'withdrawn', 'chosen', 'not_chosen')),
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    PRIMARY KEY (opportunity_id, member_id)
);
CREATE INDEX opportunity_interest_by_member ON opportunity_interest (member_id);

-- What came of it for each person chosen: recorded by a coordinator when it ends.
CREATE TABLE opportunity_outcomes (
    opportunity_id  INTEGER NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    member_id       INTEGER NOT NULL,
    outcome         TEXT    NOT NULL
                    CHECK (outcome IN ('took_part', 'completed', 'did_not_go_ahead')),
    recorded_at     TEXT    NOT NULL,
    recorded_by     INTEGER,
    PRIMARY KEY (opportunity_id, member_id)
);
CREATE INDEX opportunity_outcomes_by_member ON opportunity_outcomes (member_id, recorded_at);
CREATE INDEX opportunity_outcomes_by_time ON opportunity_outcomes (recorded_at);

-- Which kinds of opportunity a member wants to hear about. No row: the kind's default
-- (on for the forum's own activities, off for the rest; see bot/services/opportunities).
CREATE TABLE member_opportunity_kinds (
    member_id  INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    wanted     INTEGER NOT NULL CHECK (wanted IN (0, 1)),
    PRIMARY KEY (member_id, kind)
);

-- Contributions a coordinator records for a member: a role at a meeting, a survey designed,
-- a story shared, or another contribution in a few words.
CREATE TABLE member_contributions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id    INTEGER NOT NULL,
    kind         TEXT    NOT NULL
                 CHECK (kind IN ('meeting_role', 'survey_designed', 'story_shared', 'other')),
    detail       TEXT,                                  -- a few words, e.g. "chaired the June meeting"
    happened_on  TEXT    NOT NULL,                      -- UTC time it is dated by
    recorded_by  INTEGER,
    recorded_at  TEXT    NOT NULL
);
CREATE INDEX member_contributions_by_member ON member_contributions (member_id, happened_on);

-- A member's own record: skills they chose to add, and items they chose to hide from /journey
-- and the summary PDF.
CREATE TABLE member_skills (
    member_id  INTEGER NOT NULL,
    skill      TEXT    NOT NULL,                        -- a key from the skills list, or their own words
    own_words  INTEGER NOT NULL DEFAULT 0,              -- 1: typed by the member
    added_at   TEXT    NOT NULL,
    PRIMARY KEY (member_id, skill)
);

CREATE TABLE journey_hidden (
    member_id  INTEGER NOT NULL,
    item       TEXT    NOT NULL,                        -- e.g. 'meetings', 'answers', 'opportunity:12', 'contribution:3'
    PRIMARY KEY (member_id, item)
);

-- A third role: a reader (a decision-maker or trustee) is given the progression report with
-- `/grant <id> reader`. SQLite cannot change a CHECK, so the table is made again.
CREATE TABLE roles_new (
    telegram_id  INTEGER NOT NULL,
    role         TEXT    NOT NULL CHECK (role IN ('coordinator', 'decision_maker', 'reader')),
    granted_at   TEXT    NOT NULL,
    granted_by   INTEGER,
    first_name   TEXT,
    opened_at    TEXT,
    PRIMARY KEY (telegram_id, role)
);
INSERT INTO roles_new (telegram_id, role, granted_at, granted_by, first_name, opened_at)
SELECT telegram_id, role, granted_at, granted_by, first_name, opened_at FROM roles;
DROP TABLE roles;
ALTER TABLE roles_new RENAME TO roles;
