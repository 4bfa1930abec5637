"""Tests for the delivery engine and coordinator broadcasts."""
