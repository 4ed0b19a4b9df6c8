"""Shared building blocks: settings, database, errors, request context, security."""
