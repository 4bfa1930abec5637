"""Hub and regional group chats in Telegram: linking (/link, /unlink), the bot's own
membership and newcomers, and the coordinators' list (/groups)."""
