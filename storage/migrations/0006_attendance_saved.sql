-- Which meetings have had who came saved, with how many were invited and said going at that
-- moment. Counts only, no names: like meeting_attendance, they outlive a member's erasure.
-- A meeting with a row here and no meeting_attendance rows is one nobody came to; a meeting
-- without a row here is "not marked yet".
CREATE TABLE meeting_attendance_saved (
    meeting_id  INTEGER PRIMARY KEY REFERENCES meetings (id) ON DELETE CASCADE,
    invited     INTEGER NOT NULL,
    going       INTEGER NOT NULL
);

-- Meetings saved before this table existed: their figures as they are now.
INSERT INTO meeting_attendance_saved (meeting_id, invited, going)
SELECT m.id,
       (SELECT COUNT(*) FROM meeting_rsvps r WHERE r.meeting_id = m.id AND r.invited = 1),
       (SELECT COUNT(*) FROM meeting_rsvps r WHERE r.meeting_id = m.id AND r.answer = 'going')
FROM meetings m
WHERE m.id IN (SELECT meeting_id FROM meeting_attendance);
