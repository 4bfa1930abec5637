-- Crisis replies counted by day, tier (crisis or concern) and kind (overdose, suicide, ...):
-- still only numbers, never a message or a person. Earlier daily totals are kept as kind
-- 'unrecorded' (the net did not yet tell kinds apart).
CREATE TABLE crisis_counts (
    day    TEXT    NOT NULL,
    tier   TEXT    NOT NULL,
    kind   TEXT    NOT NULL,
    count  INTEGER NOT NULL,
    PRIMARY KEY (day, tier, kind)
);

INSERT INTO crisis_counts (day, tier, kind, count)
SELECT day, 'crisis', 'unrecorded', count FROM crisis_daily_counts;

DROP TABLE crisis_daily_counts;
