"""The command line: user add, db upgrade, demo seeding, serve's refusal of weak secrets."""

from __future__ import annotations

from sqlalchemy import func, select
from typer.testing import CliRunner

from interlink.analysis.models import GraphLink
from interlink.cli import app as cli
from interlink.core.db import make_engine, make_session_factory
from interlink.hits.models import Hit
from interlink.members.models import SharingGroup, User
from interlink.messaging.models import Message, MessageRecipient
from interlink.notices.models import Notice, NoticeExtract
from interlink.records.kinds import KINDS
from interlink.records.models import Record

runner = CliRunner()


def _count(url: str, query: object) -> int:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        value = session.scalar(query)  # type: ignore[call-overload]
    engine.dispose()
    return int(value or 0)


def test_user_add_creates_a_user(fresh_database_url: str) -> None:
    env = {"INTERLINK_DATABASE_URL": fresh_database_url}
    args = ["user", "add", "ke.officer", "--role", "officer", "--country", "ke", "--password"]
    result = runner.invoke(cli, [*args, "a long enough password"], env=env)
    assert result.exit_code == 0, result.output
    assert "created ke.officer (officer, KE)" in result.output
    again = runner.invoke(cli, [*args, "a long enough password"], env=env)
    assert again.exit_code == 2 and "taken" in again.output


def test_user_add_names_the_bad_option(fresh_database_url: str) -> None:
    env = {"INTERLINK_DATABASE_URL": fresh_database_url}
    bad_country = runner.invoke(
        cli,
        [
            "user",
            "add",
            "zz.officer",
            "--role",
            "officer",
            "--country",
            "ZZ",
            "--password",
            "a long enough password",
        ],
        env=env,
    )
    assert bad_country.exit_code == 2
    assert "country" in bad_country.output and "ZZ" in bad_country.output
    short = runner.invoke(
        cli,
        ["user", "add", "fr.x", "--role", "officer", "--country", "FR", "--password", "short"],
        env=env,
    )
    assert short.exit_code == 2 and "--password" in short.output
    assert _count(fresh_database_url, select(func.count(User.id))) == 0


def test_db_upgrade_is_idempotent(fresh_database_url: str) -> None:
    env = {"INTERLINK_DATABASE_URL": fresh_database_url}
    result = runner.invoke(cli, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert "0 network rows added" in result.output


def test_demo_seed_only_is_idempotent(fresh_database_url: str) -> None:
    env = {"INTERLINK_DATABASE_URL": fresh_database_url}
    first = runner.invoke(cli, ["demo", "--seed-only"], env=env)
    assert first.exit_code == 0, first.output
    assert "fr.officer" in first.output or "<cc>.officer" in first.output
    users = _count(fresh_database_url, select(func.count(User.id)))
    assert users == 5 + 2 * 196
    second = runner.invoke(cli, ["demo", "--seed-only"], env=env)
    assert second.exit_code == 0 and "nothing new" in second.output
    assert _count(fresh_database_url, select(func.count(User.id))) == users
    assert _count(fresh_database_url, select(func.count(SharingGroup.id))) == 3
    # Records of every kind, from many countries, with a mix of visibilities.
    for kind in KINDS:
        assert (
            _count(fresh_database_url, select(func.count(Record.id)).where(Record.kind == kind)) > 0
        )
    owners = _count(fresh_database_url, select(func.count(func.distinct(Record.owner_bureau_id))))
    modes = _count(fresh_database_url, select(func.count(func.distinct(Record.visibility_mode))))
    assert owners >= 40 and modes == 5
    # Notices of every type and status, diffusions, public Red and Yellow extracts.
    assert _count(fresh_database_url, select(func.count(func.distinct(Notice.type)))) == 9
    statuses = select(func.count(func.distinct(Notice.status))).where(Notice.kind == "notice")
    assert _count(fresh_database_url, statuses) == 9
    outcomes = select(func.count(func.distinct(Notice.status))).where(Notice.kind == "diffusion")
    assert _count(fresh_database_url, outcomes) == 3
    # Hits: open, overdue and escalated confirmations, answers and outcomes.
    for column, value in ((Hit.status, "open"), (Hit.status, "confirmation_requested"),
                          (Hit.status, "confirmed"), (Hit.status, "closed")):  # fmt: skip
        assert _count(fresh_database_url, select(func.count()).where(column == value)) > 0, value
    escalated = select(func.count()).where(Hit.escalated_at.is_not(None))
    assert _count(fresh_database_url, escalated) > 0
    # Message threads (replies), a broadcast, read receipts.
    replies = select(func.count()).where(Message.reply_to_id.is_not(None))
    assert _count(fresh_database_url, replies) >= 3
    read = select(func.count()).where(MessageRecipient.read_at.is_not(None))
    assert _count(fresh_database_url, read) >= 3
    for collection in ("red", "yellow", "un-persons"):
        extracts = select(func.count()).where(NoticeExtract.collection == collection)
        assert _count(fresh_database_url, extracts) > 0, collection
    # A cross-border network the link graph finds by itself: nobody stated these ties.
    for relation, owners in (
        ("shares phone", ("FR", "NL")),
        ("shares email", ("ES", "NL")),
        ("shares document", ("DE", "FR")),
        ("shares vin", ("DE", "IT")),
    ):
        explained = select(GraphLink.explanation).where(
            GraphLink.relation == relation, GraphLink.origin == "derived",
            GraphLink.value.in_(["+31648127730", "k.vandijk.logistics@protonmail.example",
                                 "C4RT7Y1Z9", "WVWZZZ1KZ8W123456"]),
        )  # fmt: skip
        engine = make_engine(fresh_database_url)
        with make_session_factory(engine)() as session:
            found = [tuple(sorted(e["owners"])) for e in session.scalars(explained)]
        engine.dispose()
        assert owners in found, (relation, found)
    links = _count(fresh_database_url, select(func.count(GraphLink.id)))
    again = runner.invoke(cli, ["analysis", "derive", "--full"], env=env)
    assert again.exit_code == 0 and f"{links:,} links in the graph" in again.output
    verified = runner.invoke(cli, ["audit", "verify"], env=env)
    assert verified.exit_code == 0, verified.output


def test_serve_refuses_a_weak_secret(fresh_database_url: str) -> None:
    env = {"INTERLINK_DATABASE_URL": fresh_database_url, "INTERLINK_SECRET_KEY": "secret"}
    result = runner.invoke(cli, ["serve"], env=env)
    assert result.exit_code == 2
    assert "INTERLINK_SECRET_KEY is too weak" in result.output
