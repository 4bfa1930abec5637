-- Survey and consultation series (rounds that open by themselves): a repeating consultation
-- (a /newpoll question) or survey (a /newsurvey file). Each round is an ordinary consultation
-- or survey row, linked back by series_id and its round number; the series keeps the rule,
-- what every round asks (as JSON) and when the next round opens. Times are ISO 8601 UTC text.

CREATE TABLE series (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL CHECK (kind IN ('consultation', 'survey')),
    title           TEXT    NOT NULL,                   -- the question, or the survey's title
    every           TEXT    NOT NULL CHECK (every IN ('week', 'month')),
    weekday         INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),   -- Monday 0
    week            INTEGER CHECK (week BETWEEN 1 AND 5),  -- of the month; 5: the last; NULL weekly
    clock           TEXT    NOT NULL,                   -- opening time of day, local, 'HH:MM'
    open_days       INTEGER NOT NULL CHECK (open_days BETWEEN 1 AND 28),
    template        TEXT    NOT NULL,                   -- what each round asks, as JSON
    state           TEXT    NOT NULL DEFAULT 'active'
                    CHECK (state IN ('active', 'paused', 'stopped')),
    next_opens_at   TEXT,                               -- the next round's opening; NULL once stopped
    rounds          INTEGER NOT NULL DEFAULT 0,         -- rounds made so far
    created_by      INTEGER,                            -- Telegram id; NULL once erased
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    stopped_at      TEXT
);
CREATE INDEX series_by_state ON series (state, next_opens_at);

-- Decision-makers chosen to get each round's results (a round copies those who still hold
-- the role into its own readers).
CREATE TABLE series_readers (
    series_id    INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    telegram_id  INTEGER NOT NULL,
    PRIMARY KEY (series_id, telegram_id)
);
CREATE INDEX series_readers_by_person ON series_readers (telegram_id);

ALTER TABLE consultations ADD COLUMN series_id INTEGER REFERENCES series (id);
ALTER TABLE consultations ADD COLUMN series_round INTEGER;
-- A round is made once: a second insert of the same round fails, so two sweeps or a sweep
-- after a crash never make it twice.
CREATE UNIQUE INDEX consultations_series_round ON consultations (series_id, series_round)
    WHERE series_id IS NOT NULL;

ALTER TABLE surveys ADD COLUMN series_id INTEGER REFERENCES series (id);
ALTER TABLE surveys ADD COLUMN series_round INTEGER;
CREATE UNIQUE INDEX surveys_series_round ON surveys (series_id, series_round)
    WHERE series_id IS NOT NULL;
