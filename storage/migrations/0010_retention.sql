-- Keeping data only as long as needed (config/retention.yaml, bot/services/retention.py).
-- Times are ISO 8601 text in UTC.

-- When a member last sent the bot a message or pressed a button (written at most once a day),
-- and when they were asked whether they want to stay (NULL when not asked, or active since).
ALTER TABLE members ADD COLUMN last_active_at TEXT;
ALTER TABLE members ADD COLUMN stay_asked_at TEXT;
-- Members who joined before this version: the bot did not record activity before, so they
-- count as active from the upgrade and nobody is asked sooner than the policy allows after it.
UPDATE members SET last_active_at = MAX(consented_at, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'));
-- A member written without it (a new member joining) starts as active at their consent.
CREATE TRIGGER members_start_active AFTER INSERT ON members
WHEN NEW.last_active_at IS NULL
BEGIN
    UPDATE members SET last_active_at = NEW.consented_at WHERE telegram_id = NEW.telegram_id;
END;
CREATE INDEX members_by_activity ON members (last_active_at) WHERE stay_asked_at IS NULL;
CREATE INDEX members_by_ask ON members (stay_asked_at) WHERE stay_asked_at IS NOT NULL;

-- A finished broadcast's text and delivery rows are deleted after a while; its counts by
-- state and reason are kept here first (JSON: [[state, reason, count], ...]) so /broadcasts
-- and reports still show them. details_deleted_at: when that happened (NULL until then).
ALTER TABLE broadcasts ADD COLUMN kept_counts TEXT;
ALTER TABLE broadcasts ADD COLUMN details_deleted_at TEXT;
CREATE INDEX broadcasts_by_finish ON broadcasts (finished_at)
    WHERE finished_at IS NOT NULL AND details_deleted_at IS NULL;

-- Contact notes marked done, and audit entries, are deleted by age.
CREATE INDEX contact_requests_by_done ON contact_requests (handled_at)
    WHERE handled_at IS NOT NULL;
CREATE INDEX audit_by_time ON audit_log (at);
