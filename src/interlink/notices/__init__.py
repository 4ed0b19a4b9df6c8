"""Notices and diffusions: requests, rule checks, secretariat review, publication."""
