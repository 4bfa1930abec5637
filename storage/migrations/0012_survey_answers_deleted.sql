-- Retention: when a closed survey's finished responses and answers were deleted, as
-- config/retention.yaml says (surveys.delete_answers_after_closing). NULL: still kept.
-- /results then says they were deleted on that day instead of showing empty figures.

ALTER TABLE surveys ADD COLUMN answers_deleted_at TEXT;
