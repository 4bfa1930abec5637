-- Invitation links for readers too: /grant <id> reader gives someone who has not opened the
-- bot a link, as for coordinators and decision-makers. SQLite cannot change a CHECK in place,
-- so `invitations` (0009) is rebuilt: the new table, every row copied, the old one dropped, the
-- new one renamed, both indexes made again. Columns, the foreign key and the ids stay as they
-- were (the AUTOINCREMENT counter too, so an id is never used twice). No table refers to
-- `invitations`, so dropping it with foreign keys on touches nothing else.
CREATE TABLE invitations_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   TEXT    NOT NULL UNIQUE,
    telegram_id  INTEGER NOT NULL,                      -- who the link is for
    role         TEXT    NOT NULL CHECK (role IN ('coordinator', 'decision_maker', 'reader')),
    created_by   INTEGER,                               -- the coordinator; NULL once erased
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    used_at      TEXT,
    notice_broadcast_id INTEGER                         -- "they opened your link", which names them
                 REFERENCES broadcasts (id) ON DELETE SET NULL
);

INSERT INTO invitations_new (
    id, token_hash, telegram_id, role, created_by, created_at, expires_at, used_at,
    notice_broadcast_id
)
SELECT id, token_hash, telegram_id, role, created_by, created_at, expires_at, used_at,
       notice_broadcast_id
FROM invitations;

-- The counter: the copy sets it to the highest id copied; the old table's may be higher (its
-- newest links were erased), and ids are never given out twice.
UPDATE sqlite_sequence
SET seq = MAX(seq, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'invitations'), 0))
WHERE name = 'invitations_new';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'invitations_new', seq FROM sqlite_sequence
WHERE name = 'invitations'
  AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'invitations_new');

DROP TABLE invitations;
ALTER TABLE invitations_new RENAME TO invitations;

CREATE INDEX invitations_by_person ON invitations (telegram_id);
CREATE INDEX invitations_by_creator ON invitations (created_by);

-- Copying no rows still leaves a counter of 0 behind; a database that never gave out an id
-- keeps no counter, as before.
DELETE FROM sqlite_sequence WHERE name = 'invitations' AND seq = 0;
