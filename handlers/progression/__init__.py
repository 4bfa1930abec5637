"""Progression in Telegram: /contribution (coordinators note a member's contribution) and
/progression (the report for coordinators and readers)."""
