"""Backoff after failed sign-ins: counted per (username, address), and per username from
the addresses where it has not signed in, so that strangers cannot keep an account's
owner out and yet many addresses cannot guess one password at leisure.

Two rows of ``signin_backoff`` count each attempt (``settle``):

- the pair (username, address): after ``signin_backoff_after`` failures that address waits
  1 minute before its next try for that username, then twice as long after each further
  failure, up to ``signin_backoff_max_minutes``. Other addresses do not wait. A success
  clears the pair and makes its address *familiar* to the account for 30 days.
- the account row (username, every unfamiliar address): after
  ``signin_account_backoff_after`` failures from addresses that are not familiar, all such
  addresses wait likewise; the owner's familiar addresses do not.

While an address waits, an attempt is refused (429 with Retry-After) whatever the password,
and not counted. A row's count is forgotten a day after its last counted failure. Usernames
that name no account are counted exactly alike, so the answers tell nothing of which exist;
and ``settle`` runs the same statements whatever the name, the password and the counts say
(the caller runs one argon2 verification first, always: ``auth.authenticate``). Keys are
HMACs, under the server's secret, of the username and the address: neither is kept in
clear. A supervisor's unlock deletes the account's rows (``clear``).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from interlink.core.config import Settings
from interlink.members.models import SigninBackoff

__all__ = ["FAMILIAR_FOR", "FORGET_AFTER", "Verdict", "clear", "held_until", "settle"]

FIRST_WAIT = timedelta(minutes=1)
FAMILIAR_FOR = timedelta(days=30)
FORGET_AFTER = timedelta(days=1)
_EVERY_ADDRESS = "*"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the backoff made of one attempt."""

    held_until: datetime | None
    """Refused: this address must wait for this username until then."""
    hold_started: datetime | None = None
    """This failure made the address (or the unfamiliar ones) wait until then."""


def _key(settings: Settings, username: str, address: str) -> str:
    # The username as given: it names the account exactly (as the lookup does), so that a
    # variant ("FR.Officer") is another name, without an account, and counted as one.
    message = f"{username}\n{address}".encode()
    return hmac.new(settings.signing_key.encode(), message, hashlib.sha256).hexdigest()


def _wait(settings: Settings, beyond: int) -> timedelta:
    """The wait after the failure ``beyond`` failures past the threshold."""
    longest = timedelta(minutes=settings.signin_backoff_max_minutes)
    doubled: timedelta = FIRST_WAIT * 2 ** min(beyond, 20)
    return min(doubled, longest)


@dataclass
class _Count:
    failures: int
    held_until: datetime | None
    counted_at: datetime
    succeeded_at: datetime | None

    def fail(self, settings: Settings, threshold: int, now: datetime) -> datetime | None:
        """Count a failure; the end of the wait it starts, if it starts one."""
        self.failures, self.counted_at = self.failures + 1, now
        if self.failures < threshold:
            return None
        self.held_until = now + _wait(settings, self.failures - threshold)
        return self.held_until


def settle(
    session: Session,
    settings: Settings,
    *,
    username: str,
    address: str,
    user_id: uuid.UUID | None,
    good: bool,
    now: datetime,
) -> Verdict:
    """Count one attempt (``good``: the password was right) of ``username`` from ``address``
    and say whether it must wait; in the caller's transaction, which it begins (on SQLite,
    with the write lock: call it after verifying the password, not before)."""
    pair_key = _key(settings, username, address)
    account_key = _key(settings, username, _EVERY_ADDRESS)
    session.execute(
        delete(SigninBackoff).where(
            SigninBackoff.counted_at < now - FORGET_AFTER,
            or_(
                SigninBackoff.succeeded_at.is_(None),
                SigninBackoff.succeeded_at < now - FAMILIAR_FOR,
            ),
        )
    )
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    fresh = {"user_id": user_id, "failures": 0, "counted_at": now}
    session.execute(
        insert(SigninBackoff)
        .values([{"key": pair_key, **fresh}, {"key": account_key, **fresh}])
        .on_conflict_do_nothing(index_elements=[SigninBackoff.key])
    )
    rows = session.execute(
        select(SigninBackoff.key, SigninBackoff.failures, SigninBackoff.held_until,
               SigninBackoff.counted_at, SigninBackoff.succeeded_at)
        .where(SigninBackoff.key.in_([pair_key, account_key]))
        .order_by(SigninBackoff.key)  # rows are locked in key order, here and in ``clear``
        .with_for_update()
    ).all()  # fmt: skip
    counts = {row.key: _Count(*row[1:]) for row in rows}
    pair, account = counts[pair_key], counts[account_key]
    for count in (pair, account):
        if count.counted_at < now - FORGET_AFTER:
            count.failures = 0
    familiar = pair.succeeded_at is not None and pair.succeeded_at >= now - FAMILIAR_FOR
    holds = [pair.held_until] + ([] if familiar else [account.held_until])
    waiting = max((until for until in holds if until is not None and until > now), default=None)
    started = None
    if waiting is None and good:
        pair.failures, pair.held_until, pair.succeeded_at = 0, None, now
        pair.counted_at = now
    elif waiting is None:
        starts = [pair.fail(settings, settings.signin_backoff_after, now)]
        if not familiar:
            starts.append(account.fail(settings, settings.signin_account_backoff_after, now))
        started = max((until for until in starts if until is not None), default=None)
    # Both rows written every time, with every column: the same statements whatever happened.
    for key, count in ((pair_key, pair), (account_key, account)):
        session.execute(
            update(SigninBackoff)
            .where(SigninBackoff.key == key)
            .values(user_id=user_id, failures=count.failures, held_until=count.held_until,
                    counted_at=count.counted_at, succeeded_at=count.succeeded_at)
        )  # fmt: skip
    return Verdict(waiting, started)


def held_until(
    session: Session, user_ids: list[uuid.UUID], now: datetime
) -> dict[uuid.UUID, datetime]:
    """For each of these accounts whose sign-ins wait somewhere, until when at the latest."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(SigninBackoff.user_id, func.max(SigninBackoff.held_until))
        .where(SigninBackoff.user_id.in_(user_ids), SigninBackoff.held_until > now)
        .group_by(SigninBackoff.user_id)
    )
    return {user_id: until for user_id, until in rows if user_id is not None and until}


def clear(session: Session, user_id: uuid.UUID) -> None:
    """Forget the account's failures and waits, from every address (a supervisor's unlock;
    its familiar addresses are forgotten too, which only makes them count again)."""
    mine = SigninBackoff.user_id == user_id
    session.execute(
        select(SigninBackoff.key).where(mine).order_by(SigninBackoff.key).with_for_update()
    ).all()
    session.execute(delete(SigninBackoff).where(mine))
