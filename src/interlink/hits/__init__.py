"""Hits: a screening that finds another bureau's record, its confirmation and outcome."""
