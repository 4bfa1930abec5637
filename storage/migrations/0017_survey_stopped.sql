-- "Stop for now" in a survey is kept with the member's place: after a restart, text typed by
-- a member who stopped is not read as an answer. Carrying on (from /surveys, "Have your say",
-- the invitation or "Carry on") or answering again clears it.
ALTER TABLE survey_progress ADD COLUMN stopped INTEGER NOT NULL DEFAULT 0;
