-- Files the bot made itself (a results chart, a CSV) for a broadcast, kept as bytes until
-- Telegram gives the first upload a file_id (then stored on broadcasts.media_file_id and used
-- for everyone else). Written in the same transaction as the broadcast and its delivery rows.
-- No personal data: only what the bot generated for the broadcast.

CREATE TABLE broadcast_uploads (
    broadcast_id  INTEGER PRIMARY KEY REFERENCES broadcasts (id) ON DELETE CASCADE,
    filename      TEXT    NOT NULL,
    data          BLOB    NOT NULL
);
