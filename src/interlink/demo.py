"""The synthetic demo network: every member bureau with its users, a few sharing groups.

Seeding is idempotent (re-running adds only what is missing). Names come from Faker
in the country's own locale where Faker has one, so the demo shows many scripts.
Grows with each capability: records, notices, messages ... register a seeder in
``SEEDERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from faker import Faker
from faker.config import AVAILABLE_LOCALES
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.audit import AuditAction, record
from interlink.core.security import hash_password
from interlink.members.models import (
    Bureau,
    BureauKind,
    GroupRole,
    SharingGroup,
    SharingGroupMember,
    User,
)
from interlink.members.service import SECRETARIAT_CODE, ensure_network

__all__ = ["DEMO_PASSWORD", "SEEDERS", "DemoSummary", "demo_logins", "seed_demo"]

DEMO_PASSWORD = "demo-password"

SECRETARIAT_USERS = {
    "admin": Role.ADMIN,
    "gs.reviewer": Role.REVIEWER,
    "ccc.operator": Role.OPERATOR,
    "analyst": Role.ANALYST,
    "auditor": Role.AUDITOR,
}

DEMO_GROUPS = {
    "Cybercrime Working Group": ["DE", "FR", "GB", "JP", "KR", "SG", "US"],
    "Asset Recovery Network": ["BR", "CH", "FR", "IT", "NG", "ZA"],
    "Southern Africa Regional Bureau Group": ["BW", "MZ", "NA", "ZA", "ZM", "ZW"],
}


def _locales_by_country() -> dict[str, str]:
    """A Faker locale per country it covers, preferring a national language to English."""
    chosen: dict[str, str] = {}
    for locale in sorted(AVAILABLE_LOCALES):
        _language, _, country = locale.partition("_")
        if len(country) == 2 and (country not in chosen or chosen[country].startswith("en_")):
            chosen[country] = locale
    return chosen


LOCALES = _locales_by_country()


@dataclass
class DemoSummary:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, count: int) -> None:
        self.created[what] = self.created.get(what, 0) + count


Progress = Callable[[str, int, int], None]
Seeder = Callable[[Session, Faker, DemoSummary, Progress, str], None]
"""Seeds one part: (session, faker, summary, progress, the demo's secret key)."""


def _faker(country: str | None, seed: int) -> Faker:
    fake = Faker(LOCALES.get(country or "", "en_US"))
    fake.seed_instance(seed)
    return fake


def _seed_users(
    session: Session, _fake: Faker, summary: DemoSummary, progress: Progress, _secret: str
) -> None:
    # One argon2 hash for all demo accounts: they share a password, and hashing
    # ~400 times would make seeding take minutes.
    password_hash = hash_password(DEMO_PASSWORD)
    existing = set(session.scalars(select(User.username)))
    bureaus = session.scalars(select(Bureau).order_by(Bureau.code)).all()
    wanted: list[tuple[str, Role, Bureau]] = []
    secretariat = next(b for b in bureaus if b.code == SECRETARIAT_CODE)
    wanted += [(name, role, secretariat) for name, role in SECRETARIAT_USERS.items()]
    for bureau in bureaus:
        if bureau.kind == BureauKind.NCB and bureau.country_code:
            cc = bureau.country_code.lower()
            wanted += [
                (f"{cc}.officer", Role.OFFICER, bureau),
                (f"{cc}.supervisor", Role.SUPERVISOR, bureau),
            ]
    created = 0
    for index, (username, role, bureau) in enumerate(wanted, 1):
        if username not in existing:
            fake = _faker(bureau.country_code, index)
            session.add(
                User(
                    username=username,
                    full_name=fake.name(),
                    password_hash=password_hash,
                    role=role.value,
                    bureau_id=bureau.id,
                )
            )
            created += 1
        progress("users", index, len(wanted))
    session.flush()
    summary.add("users", created)


def _seed_groups(
    session: Session, _fake: Faker, summary: DemoSummary, progress: Progress, _secret: str
) -> None:
    existing = set(session.scalars(select(SharingGroup.name)))
    for index, (name, countries) in enumerate(DEMO_GROUPS.items(), 1):
        if name not in existing:
            # Owned by its first country, its admin; the others are members.
            group = SharingGroup(
                name=name, description=f"Demo group: {name}", owner_country=countries[0]
            )
            group.members = [
                SharingGroupMember(
                    country_code=code,
                    role=(GroupRole.ADMIN if code == countries[0] else GroupRole.MEMBER).value,
                )
                for code in countries
            ]
            session.add(group)
            summary.add("sharing groups", 1)
        progress("sharing groups", index, len(DEMO_GROUPS))
    session.flush()


def _seed_records(
    session: Session, _fake: Faker, summary: DemoSummary, progress: Progress, _secret: str
) -> None:
    from interlink.records.demo import seed_records

    summary.add("records", seed_records(session, _faker, progress))


def _seed_notices(
    session: Session, _fake: Faker, summary: DemoSummary, progress: Progress, _secret: str
) -> None:
    from interlink.notices.demo import seed_notices

    summary.add("notices and diffusions", seed_notices(session, progress))


def _seed_hits(
    session: Session, _fake: Faker, summary: DemoSummary, progress: Progress, _secret: str
) -> None:
    from interlink.hits.demo import seed_hits

    summary.add("hits", seed_hits(session, progress))


def _seed_messages(
    session: Session, _fake: Faker, summary: DemoSummary, progress: Progress, secret: str
) -> None:
    from interlink.messaging.demo import seed_messages

    summary.add("messages", seed_messages(session, progress, secret))


def _seed_operations(
    session: Session, _fake: Faker, summary: DemoSummary, progress: Progress, _secret: str
) -> None:
    from interlink.operations.demo import seed_operations

    summary.add("operations and incidents", seed_operations(session, progress))


def _seed_network(
    session: Session, _fake: Faker, summary: DemoSummary, progress: Progress, _secret: str
) -> None:
    from interlink.analysis.demo_graph import seed_network

    summary.add("cross-border network records", seed_network(session, progress))


def _seed_warning_demo(
    session: Session, _fake: Faker, summary: DemoSummary, progress: Progress, _secret: str
) -> None:
    from interlink.analysis.demo import seed_warning_demo

    summary.add("hits behind an early warning", seed_warning_demo(session, progress))


SEEDERS: list[tuple[str, Seeder]] = [
    ("users", _seed_users),
    ("sharing groups", _seed_groups),
    ("records", _seed_records),
    ("notices", _seed_notices),
    ("hits", _seed_hits),
    ("messages", _seed_messages),
    ("operations", _seed_operations),
    ("cross-border network", _seed_network),
    # After "hits": that seeder adds its hits only to a network without any.
    ("early warnings", _seed_warning_demo),
]


def seed_demo(session: Session, progress: Progress | None = None, *, secret: str) -> DemoSummary:
    """Seed the demo network into ``session`` (the caller commits); what is sealed (the
    bureaus' message-signing keys) is sealed with ``secret``, the demo server's key."""
    report = progress or (lambda _what, _done, _total: None)
    summary = DemoSummary()
    summary.add("countries and bureaus", ensure_network(session))
    fake = _faker(None, 2026)
    for _name, seeder in SEEDERS:
        seeder(session, fake, summary, report, secret)
    if any(summary.created.values()):
        record(session, AuditAction.DEMO_SEED, actor_name="demo", after=summary.created)
    return summary


def demo_logins() -> list[tuple[str, str]]:
    """(login, what it is) pairs to print for the demo."""
    rows = [
        (name, f"{role.value} (General Secretariat)") for name, role in SECRETARIAT_USERS.items()
    ]
    rows += [
        ("<cc>.officer", "officer of a member bureau, e.g. fr.officer"),
        ("<cc>.supervisor", "supervisor of a member bureau, e.g. fr.supervisor"),
    ]
    return rows
