"""Benchmarks that print figures (``make bench``); speed goals live here, not in tests."""
