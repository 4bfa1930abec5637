-- Urgent contact requests: a person asked a coordinator to get in touch from a crisis or
-- concern reply. Every coordinator is told at once through the delivery engine (the notice's
-- broadcast is kept here, so a claim can edit the copies that were sent); the first
-- coordinator to press "I'll take this" claims it; one reminder goes if nobody has by then.
-- ask_key is the random id of one ask (a button's or a typed note's), so a press delivered
-- twice is one request. All of a request's data is erased with the person (storage/erasure.py);
-- a coordinator's claim (id and first name) is cleared when the coordinator is erased.

ALTER TABLE contact_requests ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_requests ADD COLUMN ask_key TEXT;
ALTER TABLE contact_requests ADD COLUMN claimed_by INTEGER;
ALTER TABLE contact_requests ADD COLUMN claimed_name TEXT;
ALTER TABLE contact_requests ADD COLUMN claimed_at TEXT;
ALTER TABLE contact_requests ADD COLUMN reminded_at TEXT;
ALTER TABLE contact_requests ADD COLUMN notice_broadcast_id INTEGER
    REFERENCES broadcasts (id) ON DELETE SET NULL;
ALTER TABLE contact_requests ADD COLUMN reminder_broadcast_id INTEGER
    REFERENCES broadcasts (id) ON DELETE SET NULL;

CREATE UNIQUE INDEX contact_requests_by_ask ON contact_requests (telegram_id, ask_key)
    WHERE ask_key IS NOT NULL;
-- Urgent requests nobody has taken or reminded about yet (the reminder sweep).
CREATE INDEX contact_requests_waiting ON contact_requests (created_at)
    WHERE urgent = 1 AND claimed_at IS NULL AND handled_at IS NULL AND reminded_at IS NULL;
CREATE INDEX contact_requests_by_claimer ON contact_requests (claimed_by)
    WHERE claimed_by IS NOT NULL;
