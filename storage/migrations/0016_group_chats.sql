-- Hub and regional group chats the bot is in: which hub, region or the whole forum each is
-- linked to, the topic it posts in, and whether the bot is an admin there. Times are ISO 8601
-- text in UTC. No member data: the people in a group are never stored.

CREATE TABLE group_chats (
    chat_id       INTEGER PRIMARY KEY,                 -- Telegram's id; follows a move to a supergroup
    title         TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('group', 'supergroup')),
    state         TEXT    NOT NULL DEFAULT 'present'
                  CHECK (state IN ('present', 'linked', 'removed')),
    scope         TEXT    CHECK (scope IN ('everyone', 'region', 'hub')),  -- set while linked
    place         TEXT,                                -- region or hub id; NULL for the whole forum
    thread_id     INTEGER,                             -- the topic the bot posts in; NULL: the main chat
    bot_is_admin  INTEGER NOT NULL DEFAULT 0,
    linked_by     INTEGER,                             -- Telegram id of the coordinator; NULL once erased
    linked_at     TEXT,
    welcomed_on   TEXT,                                -- local date of the last welcome posted there
    updated_at    TEXT    NOT NULL,
    CHECK ((state = 'linked') = (scope IS NOT NULL))
);
CREATE INDEX group_chats_linked ON group_chats (scope, place) WHERE state = 'linked';

-- A post to a group with topics goes to the topic the group was linked in: the delivery
-- engine sends each broadcast's calls with its thread (NULL: the main chat, or a person).
ALTER TABLE broadcasts ADD COLUMN thread_id INTEGER;
