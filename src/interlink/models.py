"""Imports every domain's models so that the metadata is complete (for Alembic)."""

from __future__ import annotations

__all__ = ["load_all"]


def load_all() -> None:
    import interlink.analysis.models
    import interlink.audit.models
    import interlink.changes.models
    import interlink.core.counters
    import interlink.core.demo_key
    import interlink.core.events
    import interlink.dataprotection.models
    import interlink.hits.models
    import interlink.members.models
    import interlink.messaging.models
    import interlink.node.models
    import interlink.notices.models
    import interlink.operations.models
    import interlink.records.models  # noqa: F401
