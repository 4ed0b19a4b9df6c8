"""The tamper-evident audit trail: append-only, hash-chained entries."""

from interlink.audit.service import AuditAction, record, verify_chain

__all__ = ["AuditAction", "record", "verify_chain"]
