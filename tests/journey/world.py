"""Facts for journey tests, written straight into a real migrated database as the features that
own them would leave them: a member, meetings they came to, answers, opportunity outcomes,
contributions, and things that must never reach a summary (support requests, comments)."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.db import Database
from storage.timefmt import to_db


class World:
    """Writes rows for one database, with times around ``now``."""

    def __init__(self, db: Database, now: datetime) -> None:
        self.db = db
        self.now = now

    async def member(
        self,
        member_id: int,
        name: str = "Sam",
        region: str | None = "north_west",
        *,
        joined: datetime | None = None,
    ) -> None:
        """A member who has finished joining."""
        await self.db.execute(
            "INSERT INTO members (telegram_id, first_name, consented_at, region_id, hub_id, "
            "setup_done, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
            (
                member_id,
                name,
                to_db(joined or self.now - timedelta(days=200)),
                region,
                f"{region}_1" if region else None,
                to_db(self.now),
            ),
        )

    async def meeting(self, title: str, days_ago: int, *, attended: dict[int, int | None]) -> int:
        """A past meeting; ``attended`` maps member to 1 (came), 0 (did not) or None."""
        meeting_id = await self.db.insert(
            "INSERT INTO meetings (title, starts_at, duration_minutes, audience_scope, "
            "created_at, updated_at) VALUES (?, ?, 60, 'everyone', ?, ?)",
            (title, to_db(self.now - timedelta(days=days_ago)), to_db(self.now), to_db(self.now)),
        )
        for member_id, came in attended.items():
            await self.db.execute(
                "INSERT INTO meeting_rsvps (meeting_id, member_id, invited, answer, attended) "
                "VALUES (?, ?, 1, 'going', ?)",
                (meeting_id, member_id, came),
            )
        return meeting_id

    async def consultation(self, answered: list[int], unanswered: list[int] = ()) -> int:
        """A closed consultation; the members in ``answered`` chose an answer."""
        consultation_id = await self.db.insert(
            "INSERT INTO consultations (question, audience_scope, opens_at, closes_at, state, "
            "created_at, updated_at) VALUES ('Evenings?', 'everyone', ?, ?, 'closed', ?, ?)",
            (to_db(self.now), to_db(self.now), to_db(self.now), to_db(self.now)),
        )
        for member_id in [*answered, *unanswered]:
            await self.db.execute(
                "INSERT INTO consultation_invites (consultation_id, member_id, answered_at) "
                "VALUES (?, ?, ?)",
                (consultation_id, member_id, to_db(self.now) if member_id in answered else None),
            )
        for member_id in answered:
            await self.db.execute(
                "INSERT INTO consultation_choices (consultation_id, member_id, position) "
                "VALUES (?, ?, 0)",
                (consultation_id, member_id),
            )
        return consultation_id

    async def survey(
        self, member_id: int, *, anonymous: bool, state: str = "open", finished: bool = True
    ) -> int:
        """A survey the member was asked; finished as the answering code leaves it (an
        anonymous one: a response linked to nobody; after closing, no invitation at all)."""
        survey_id = await self.db.insert(
            "INSERT INTO surveys (file_key, title, definition, anonymous, audience_scope, "
            "opens_at, closes_at, state, created_at, updated_at) "
            "VALUES ('s', 'About help', '{}', ?, 'everyone', ?, ?, ?, ?, ?)",
            (
                int(anonymous),
                to_db(self.now),
                to_db(self.now),
                state,
                to_db(self.now),
                to_db(self.now),
            ),
        )
        if not (anonymous and state == "closed"):
            await self.db.execute(
                "INSERT INTO survey_invites (survey_id, member_id, agreed, finished) "
                "VALUES (?, ?, 1, ?)",
                (survey_id, member_id, int(finished)),
            )
        if finished:
            await self.db.execute(
                "INSERT INTO survey_responses (id, survey_id, member_id) VALUES (?, ?, ?)",
                (f"r{survey_id}-{member_id}", survey_id, None if anonymous else member_id),
            )
        return survey_id

    async def opportunity(
        self,
        title: str,
        kind: str = "volunteering",
        *,
        outcomes: dict[int, str],
        days_ago: int = 30,
    ) -> int:
        """An ended opportunity with an outcome per chosen member."""
        opportunity_id = await self.db.insert(
            "INSERT INTO opportunities (kind, title, involves, gives, time_needed, place, "
            "audience_scope, closes_at, state, created_at, updated_at) "
            "VALUES (?, ?, 'Helping', 'A reference', '2 hours', 'Online', 'everyone', ?, "
            "'ended', ?, ?)",
            (kind, title, to_db(self.now), to_db(self.now), to_db(self.now)),
        )
        for member_id, outcome in outcomes.items():
            await self.db.execute(
                "INSERT INTO opportunity_outcomes (opportunity_id, member_id, outcome, "
                "recorded_at) VALUES (?, ?, ?, ?)",
                (opportunity_id, member_id, outcome, to_db(self.now - timedelta(days=days_ago))),
            )
        return opportunity_id

    async def contribution(
        self, member_id: int, kind: str, detail: str | None, days_ago: int = 10
    ) -> int:
        """A contribution a coordinator recorded."""
        return await self.db.insert(
            "INSERT INTO member_contributions (member_id, kind, detail, happened_on, "
            "recorded_at) VALUES (?, ?, ?, ?, ?)",
            (member_id, kind, detail, to_db(self.now - timedelta(days=days_ago)), to_db(self.now)),
        )

    async def support_traces(self, member_id: int, message: str, comment: str) -> None:
        """What a summary must never hold: a request to be contacted (with its note and
        region), an urgent one, and a comment on a consultation."""
        await self.db.execute(
            "INSERT INTO contact_requests (telegram_id, first_name, region_id, message, "
            "created_at, urgent) VALUES (?, 'Sam', 'north_west', ?, ?, 1)",
            (member_id, message, to_db(self.now)),
        )
        consultation_id = await self.consultation([member_id])
        await self.db.execute(
            "INSERT INTO consultation_comments (consultation_id, member_id, text, written_at) "
            "VALUES (?, ?, ?, ?)",
            (consultation_id, member_id, comment, to_db(self.now)),
        )
