"""Meetings in Telegram: /meetings and answers (listing), setting one up (/newmeeting),
attendance, and how meeting messages look."""
