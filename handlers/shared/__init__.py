"""Helpers every handler shares: sending and buttons, callback data, the step a person is in,
guided drafts and their steps, the redraw lane, keyboards, handler groups and formatting."""
