"""Privacy-safe consultation results: small-count suppression, charts and CSV files."""
