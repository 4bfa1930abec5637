-- Members, roles, the audit log, contact requests and anonymous counts.
-- Times are ISO 8601 text in UTC.

CREATE TABLE members (
    telegram_id          INTEGER PRIMARY KEY,
    first_name           TEXT    NOT NULL,
    consented_at         TEXT    NOT NULL,
    region_id            TEXT,
    hub_id               TEXT,
    wants_meetings       INTEGER NOT NULL DEFAULT 1,
    wants_consultations  INTEGER NOT NULL DEFAULT 1,
    wants_news           INTEGER NOT NULL DEFAULT 1,
    setup_done           INTEGER NOT NULL DEFAULT 0,
    paused_until         TEXT,
    reachable            INTEGER NOT NULL DEFAULT 1,
    updated_at           TEXT    NOT NULL
);
CREATE INDEX members_by_place ON members (region_id, hub_id);
CREATE INDEX members_by_pause ON members (paused_until) WHERE paused_until IS NOT NULL;

CREATE TABLE roles (
    telegram_id  INTEGER NOT NULL,
    role         TEXT    NOT NULL CHECK (role IN ('coordinator', 'decision_maker')),
    granted_at   TEXT    NOT NULL,
    granted_by   INTEGER,
    PRIMARY KEY (telegram_id, role)
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT    NOT NULL,
    actor_id   INTEGER,
    action     TEXT    NOT NULL,
    target_id  INTEGER,
    detail     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_actor ON audit_log (actor_id);
CREATE INDEX audit_by_target ON audit_log (target_id);

CREATE TABLE contact_requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    telegram_id INTEGER NOT NULL,
    first_name  TEXT    NOT NULL,
    region_id   TEXT,
    message     TEXT,
    created_at  TEXT    NOT NULL,
    handled_by  INTEGER,
    handled_at  TEXT
);
CREATE INDEX contact_requests_by_person ON contact_requests (telegram_id);

CREATE TABLE crisis_daily_counts (
    day    TEXT    PRIMARY KEY,
    count  INTEGER NOT NULL
);

CREATE TABLE leaver_counts (
    region_id  TEXT    NOT NULL DEFAULT '',
    hub_id     TEXT    NOT NULL DEFAULT '',
    count      INTEGER NOT NULL,
    PRIMARY KEY (region_id, hub_id)
);
