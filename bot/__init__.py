"""The application: services, delivery, scheduling, the text catalogue and the composition root."""
