"""A probe shared kind for the access-policy tests.

The policy acts on any model with ``SharedMixin``; this one exists only in tests (its
table is created by the test fixtures), so that the policy table test has a kind to act
on whatever domains exist. Every real shared kind is found in the model registry and
tested the same way.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from interlink.access import SharedMixin
from interlink.core.db import Base


class ProbeRecord(SharedMixin, Base):
    __tablename__ = "test_probe_records"

    label: Mapped[str] = mapped_column(String(64))

    @classmethod
    def example(cls, **fields: object) -> ProbeRecord:
        """A valid instance for the policy tests; every shared kind offers one."""
        return cls(label="probe", **fields)
