"""Running the bot for real: backups, restore, webhooks, health and the one-command check."""
