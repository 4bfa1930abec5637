"""Surveys in Telegram: /newsurvey, answering one question at a time, /surveys, and how survey
messages look (the results pack's texts are in results_messages.py)."""
