"""Consultations in Telegram: answering (answers), setting one up (/newpoll), /polls for
coordinators (admin), "You said, we did" (followup), results packs, and how they look."""
