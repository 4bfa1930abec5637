"""Tests of the local sandbox: its JSON API and the page in a real browser."""
