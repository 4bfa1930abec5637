"""Opportunities in Telegram: /newopportunity, /opportunities, the answer buttons, choosing
people and recording outcomes, and the kinds a member hears about in /settings."""
