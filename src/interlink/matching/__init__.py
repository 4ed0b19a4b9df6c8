"""Matching library: pure functions, no I/O (names, dates, identifiers, MRZ, index)."""
