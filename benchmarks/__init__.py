"""Benchmarks for the delivery engine, run by `make bench` (`python -m benchmarks`)."""
