"""Settings and the editable data files: forum, support directory, crisis phrases, texts."""
