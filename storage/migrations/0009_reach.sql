-- Every intended reader is reached, and coordinators know when someone is not.
-- Times are ISO 8601 text in UTC.

-- Invitation links: /grant for someone who has not opened the bot gives a link
-- (https://t.me/<bot>?start=<token>) to pass on. Only a SHA-256 of the random token is kept,
-- so the database alone cannot make a working link. A link is for one person, works once and
-- until expires_at (14 days). Erased with the person (storage/erasure.py); the coordinator who
-- made it is cleared when they are erased.
CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   TEXT    NOT NULL UNIQUE,
    telegram_id  INTEGER NOT NULL,                      -- who the link is for
    role         TEXT    NOT NULL CHECK (role IN ('coordinator', 'decision_maker')),
    created_by   INTEGER,                               -- the coordinator; NULL once erased
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    used_at      TEXT,
    notice_broadcast_id INTEGER                         -- "they opened your link", which names them
                 REFERENCES broadcasts (id) ON DELETE SET NULL
);
CREATE INDEX invitations_by_person ON invitations (telegram_id);
CREATE INDEX invitations_by_creator ON invitations (created_by);

-- What the bot knows of a role holder who is not a member: their first name (from Telegram when
-- they open the bot, or from the contact request they were granted from) and when they last
-- opened the bot. Reports name people instead of showing Telegram ids.
ALTER TABLE roles ADD COLUMN first_name TEXT;
ALTER TABLE roles ADD COLUMN opened_at TEXT;

-- must_reach: urgent contact notices go to every coordinator, even one who paused member
-- messages or was marked unreachable (the send is tried; Telegram says if it fails).
-- number: what coordinators see ("Message 3", "Notice 12"): coordinator messages and the bot's
-- own notices each count 1, 2, 3 ... in the order they were made; a copy sent again keeps its
-- original's number. resend_of: the broadcast this one sends again (to people "not sure", or
-- to someone who has now opened the bot).
ALTER TABLE broadcasts ADD COLUMN must_reach INTEGER NOT NULL DEFAULT 0;
ALTER TABLE broadcasts ADD COLUMN number INTEGER;
ALTER TABLE broadcasts ADD COLUMN resend_of INTEGER REFERENCES broadcasts (id) ON DELETE SET NULL;
CREATE INDEX broadcasts_by_resend ON broadcasts (resend_of) WHERE resend_of IS NOT NULL;
-- The next number of each group is read at every write.
CREATE INDEX broadcasts_by_number ON broadcasts ((kind = 'broadcast'), number)
    WHERE resend_of IS NULL;

UPDATE broadcasts SET must_reach = 1 WHERE kind IN ('contact_urgent', 'contact_reminder');
UPDATE broadcasts SET number = numbered.n
FROM (
    SELECT id, ROW_NUMBER() OVER (PARTITION BY kind = 'broadcast' ORDER BY id) AS n
    FROM broadcasts
) AS numbered
WHERE numbered.id = broadcasts.id;

-- resent_in: the broadcast that sent this row's message again (set once, in the transaction
-- that queues the copy, so a second press or a second opening never sends it twice).
ALTER TABLE deliveries ADD COLUMN resent_in INTEGER;

-- The parts of a results pack sent to decision-makers, by consultation, and the warnings
-- coordinators got when a part could not reach one of them (once per pack and person).
CREATE TABLE results_pack_parts (
    broadcast_id     INTEGER PRIMARY KEY REFERENCES broadcasts (id) ON DELETE CASCADE,
    consultation_id  INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE
);
CREATE INDEX results_pack_parts_by_consultation ON results_pack_parts (consultation_id);

CREATE TABLE results_warnings (
    consultation_id  INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    telegram_id      INTEGER NOT NULL,
    reason           TEXT    NOT NULL,
    warned_at        TEXT    NOT NULL,
    broadcast_id     INTEGER REFERENCES broadcasts (id) ON DELETE SET NULL, -- names the person
    PRIMARY KEY (consultation_id, telegram_id)
);

-- An urgent request whose notice reached no coordinator: when the person was told so (once),
-- with 999 and Samaritans, instead of being left to think it worked.
ALTER TABLE contact_requests ADD COLUMN unreached_at TEXT;
