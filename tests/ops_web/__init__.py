"""Webhooks, health, the one-command check and logs (issue 14)."""
