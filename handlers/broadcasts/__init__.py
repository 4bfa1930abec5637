"""Coordinator broadcasts in Telegram: the /broadcast conversation, what it sends (content),
/broadcasts (listing) and progress and delivery reports (reports)."""
