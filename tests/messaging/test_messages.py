"""Messages through the API: addressing (bureaus, SEC, CCC, everyone), receipts, threads,
search, references, attachments (sniffed, limited, served only to those who may read the
message), immutability, and the sender bureau's signature."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.core.security import issue_token
from interlink.members.models import User
from interlink.messaging.models import Message
from interlink.messaging.service import MAX_ATTACHMENT_BYTES

Auth = Callable[[User], dict[str, str]]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "fr": make_user(Role.OFFICER, "FR"),
        "de": make_user(Role.OFFICER, "DE"),
        "it": make_user(Role.OFFICER, "IT"),
        "es": make_user(Role.OFFICER, "ES"),
        "operator": make_user(Role.OPERATOR, "SEC"),
        "analyst": make_user(Role.ANALYST, "SEC"),
    }


def _send(client: TestClient, who: User, auth: Auth, **body: Any) -> Any:
    payload = {"recipients": ["DE", "IT"], "subject": "Wanted: Jean Dupont",
               "body": "Seen in Lyon; may travel to Frankfurt.", **body}  # fmt: skip
    return client.post("/api/v1/messages", json=payload, headers=auth(who))


def _box(client: TestClient, who: User, auth: Auth, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/v1/messages", params=params, headers=auth(who))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_addressed_bureaus_read_it_others_never(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    sent = _send(client, people["fr"], auth, priority="urgent")
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["from"] == "FR" and message["priority"] == "urgent"
    assert {r["bureau"] for r in message["receipts"]} == {"DE", "IT"}
    assert all(r["delivered_at"] is None for r in message["receipts"])
    assert [m["id"] for m in _box(client, people["de"], auth)] == [message["id"]]
    assert _box(client, people["es"], auth) == []
    assert [m["id"] for m in _box(client, people["fr"], auth, box="outbox")] == [message["id"]]
    path = f"/api/v1/messages/{message['id']}"
    assert client.get(path, headers=auth(people["es"])).status_code == 404
    client.get(path, headers=auth(people["de"]))
    seen = client.get(path, headers=auth(people["fr"])).json()
    receipts = {r["bureau"]: r for r in seen["receipts"]}
    assert receipts["DE"]["delivered_at"] and receipts["DE"]["read_by"] == people["de"].username
    assert receipts["IT"]["read_at"] is None
    # Immutable once sent.
    assert client.patch(path, json={"body": "x"}, headers=auth(people["fr"])).status_code == 405
    assert client.delete(path, headers=auth(people["fr"])).status_code == 405


def test_everyone_the_secretariat_and_the_command_centre(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    broadcast = _send(client, people["fr"], auth, recipients=["*"]).json()
    assert len(broadcast["receipts"]) == 196
    assert [m["id"] for m in _box(client, people["es"], auth)] == [broadcast["id"]]
    to_ccc = _send(client, people["fr"], auth, recipients=["CCC"]).json()
    assert [(r["bureau"], r["role"]) for r in to_ccc["receipts"]] == [("SEC", "ccc")]
    assert to_ccc["id"] in {m["id"] for m in _box(client, people["operator"], auth)}
    assert to_ccc["id"] not in {m["id"] for m in _box(client, people["es"], auth)}
    for recipients, field in ((["XX"], "body.recipients.0"), (["*", "DE"], "body.recipients")):
        bad = _send(client, people["fr"], auth, recipients=recipients)
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == field


def test_threads_replies_and_search(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    first = _send(client, people["fr"], auth).json()
    reply = _send(
        client, people["de"], auth, recipients=["FR"], subject="Re: Wanted",
        body="Checked Frankfurt airport: nothing.", reply_to=first["id"],
    ).json()  # fmt: skip
    assert reply["thread"] == first["thread"] == first["id"]
    thread = _box(client, people["fr"], auth, box="all", thread=first["thread"])
    assert [m["id"] for m in thread] == [first["id"], reply["id"]]
    assert [
        m["id"] for m in _box(client, people["fr"], auth, box="all", q="frankfurt airport")
    ] == [reply["id"]]
    hidden = _send(client, people["es"], auth, recipients=["PT"]).json()
    stray = _send(client, people["de"], auth, recipients=["FR"], reply_to=hidden["id"])
    assert stray.status_code == 422 and stray.json()["errors"][0]["field"] == "body.reply_to"


def test_references_must_be_readable(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    vehicle = {"plate": "AB-123-CD", "visibility": {"mode": "owner_only"}}
    record = client.post("/api/v1/records/vehicles", json=vehicle, headers=auth(people["fr"]))
    reference = [{"type": "record", "id": record.json()["id"]}]
    ok = _send(client, people["fr"], auth, references=reference)
    assert ok.status_code == 201
    theirs = _send(client, people["de"], auth, recipients=["FR"],
                   references=[{"type": "record", "id": record.json()["id"]}])  # fmt: skip
    assert theirs.status_code == 422
    assert theirs.json()["errors"][0]["field"] == "body.references.0.id"
    notice = _send(client, people["fr"], auth, references=[{"type": "notice", "id": "2026/99999"}])
    assert notice.status_code == 422


def _multipart(client: TestClient, who: User, auth: Auth, files: list[tuple[str, bytes]],
               **body: Any) -> Any:  # fmt: skip
    message = {"recipients": ["DE"], "subject": "Photos", "body": "See attached.", **body}
    parts = [
        ("attachments", (name, content, "application/octet-stream")) for name, content in files
    ]
    return client.post("/api/v1/messages", data={"message": json.dumps(message)}, files=parts,
                       headers=auth(who))  # fmt: skip


def test_attachments_are_sniffed_limited_and_served_to_readers(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    sent = _multipart(client, people["fr"], auth, [("../../face.png", PNG), ("case.pdf", PDF)])
    assert sent.status_code == 201, sent.text
    attachments = sent.json()["attachments"]
    assert [(a["filename"], a["content_type"]) for a in attachments] == [
        ("face.png", "image/png"), ("case.pdf", "application/pdf")
    ]  # fmt: skip
    got = client.get(attachments[0]["href"], headers=auth(people["de"]))
    assert got.status_code == 200 and got.content == PNG
    assert client.get(attachments[0]["href"], headers=auth(people["es"])).status_code == 404
    program = _multipart(client, people["fr"], auth, [("x.png", b"MZ\x90\x00" + b"\x00" * 60)])
    assert program.status_code == 422
    assert program.json()["errors"][0]["field"] == "attachments.0"
    huge = _multipart(client, people["fr"], auth, [("a.txt", b"a" * (MAX_ATTACHMENT_BYTES + 1))])
    assert huge.status_code == 422
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("evidence.bin", b"\0" * 50_000_000)
    refused = _multipart(
        client, people["fr"], auth, [("case.pdf", PDF), ("e.zip", bomb.getvalue())]
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "attachments.1"
    assert "zip bomb" in refused.json()["errors"][0]["message"]
    no_message = client.post("/api/v1/messages", files=[("attachments", ("a.txt", b"hi"))],
                             headers=auth(people["fr"]))  # fmt: skip
    assert no_message.status_code == 422 and no_message.json()["errors"][0]["field"] == "message"


def test_signatures_verify_and_catch_tampering(
    client: TestClient, people: dict[str, User], auth: Auth, session: Session
) -> None:
    message = _multipart(client, people["fr"], auth, [("case.pdf", PDF)]).json()
    path = f"/api/v1/messages/{message['id']}/verify"
    checked = client.get(path, headers=auth(people["de"])).json()
    assert checked["valid"] is True and checked["digest"] == message["digest"]
    second = _send(client, people["fr"], auth).json()
    assert client.get(f"/api/v1/messages/{second['id']}/verify",
                      headers=auth(people["de"])).json()["key_id"] == checked["key_id"]  # fmt: skip
    session.execute(
        update(Message).where(Message.id == uuid.UUID(message["id"])).values(body="Nothing to see.")
    )
    session.commit()
    tampered = client.get(path, headers=auth(people["de"])).json()
    assert tampered["valid"] is False and "differs" in tampered["reason"]


def test_messages_verify_command(fresh_database_url: str) -> None:
    from typer.testing import CliRunner

    from interlink.cli import app as cli
    from interlink.core.db import make_engine
    from tests.messaging.live import add_users

    env = {"INTERLINK_DATABASE_URL": fresh_database_url}
    runner = CliRunner()
    assert "0 message(s) verified" in runner.invoke(cli, ["messages", "verify"], env=env).output
    add_users(fresh_database_url, "fr.o")
    seeded = runner.invoke(cli, ["demo", "--seed-only"], env=env)
    assert seeded.exit_code == 0, seeded.output
    ok = runner.invoke(cli, ["messages", "verify"], env=env)
    assert ok.exit_code == 0 and "verified" in ok.output, ok.output
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        victim = session.scalars(select(Message.id).limit(1)).one()
        session.execute(update(Message).where(Message.id == victim).values(subject="Changed"))
        session.commit()
    engine.dispose()
    broken = runner.invoke(cli, ["messages", "verify"], env=env)
    assert broken.exit_code == 1 and str(victim) in broken.output
    assert runner.invoke(cli, ["messages", "verify", "nope"], env=env).exit_code == 2
    # After a change of secret, a bureau gets a new key; what it signed before still verifies.
    issued = runner.invoke(cli, ["messages", "new-key", "fr"], env=env)
    assert issued.exit_code == 0 and "bureau FR: new signing key" in issued.output
    assert runner.invoke(cli, ["messages", "new-key", "XX"], env=env).exit_code == 2
    still = runner.invoke(cli, ["messages", "verify"], env=env)
    assert still.exit_code == 1 and still.output.count("invalid") == 1  # only the tampered one


def test_changed_attachment_bytes_and_slipped_in_keys_do_not_verify(
    client: TestClient, people: dict[str, User], auth: Auth, session: Session
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from interlink.messaging.models import BureauKey, MessageAttachment
    from interlink.messaging.service import attachment_digests
    from interlink.messaging.signing import _public_b64, canonical, sign

    message = _multipart(client, people["fr"], auth, [("case.pdf", PDF)]).json()
    path = f"/api/v1/messages/{message['id']}/verify"
    session.execute(
        update(MessageAttachment)
        .where(MessageAttachment.message_id == uuid.UUID(message["id"]))
        .values(content=PDF + b"% appended")
    )
    session.commit()
    changed = client.get(path, headers=auth(people["de"])).json()
    assert changed["valid"] is False and "differs" in changed["reason"]

    # A forger with the database but not the secret: a key of their own, a new body.
    other = _send(client, people["fr"], auth).json()
    stored = session.get(Message, uuid.UUID(other["id"]))
    assert stored is not None
    forged_key = Ed25519PrivateKey.generate()
    key = BureauKey(bureau_id=stored.owner_bureau_id, public_key=_public_b64(forged_key),
                    private_key=b"", created_at=stored.sent_at)  # fmt: skip
    session.add(key)
    session.flush()
    stored.body, stored.key_id = "Release the prisoner.", key.id
    attachments = attachment_digests([])
    stored.digest, stored.signature = sign(forged_key, canonical(stored, attachments))
    session.commit()
    forged = client.get(f"/api/v1/messages/{other['id']}/verify", headers=auth(people["de"]))
    assert forged.json()["valid"] is False


def test_a_key_sealed_with_another_secret_is_not_silently_replaced(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    assert _send(client, people["fr"], auth).status_code == 201
    settings = client.app.state.settings  # type: ignore[attr-defined]
    other = "another secret, of at least thirty-two characters"
    client.app.state.settings = type(settings)(**{**settings.model_dump(), "secret_key": other})  # type: ignore[attr-defined]
    renewed = client.app.state.settings  # type: ignore[attr-defined]
    token = issue_token(str(people["fr"].id), renewed.signing_key, renewed.token_minutes)
    payload = {"recipients": ["DE"], "subject": "After the change", "body": "Signed?"}
    refused = client.post(
        "/api/v1/messages", json=payload, headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 503 and "new-key" in refused.json()["detail"]


def test_a_message_is_never_dated_before_the_key_that_signs_it(
    client: TestClient, people: dict[str, User], auth: Auth, session: Session
) -> None:
    """Two first messages at once: the one that read the clock first may find the key the
    other made meanwhile, dated after its own clock reading. It must still verify."""
    from datetime import timedelta

    from interlink.messaging.models import BureauKey

    assert _send(client, people["fr"], auth).status_code == 201
    key = session.scalars(select(BureauKey)).one()
    later = key.created_at + timedelta(seconds=30)  # the other request made it later
    session.execute(update(BureauKey).where(BureauKey.id == key.id).values(created_at=later))
    session.commit()
    sent = _send(client, people["fr"], auth)
    assert sent.status_code == 201, sent.text
    stored = session.get(Message, uuid.UUID(sent.json()["id"]))
    assert stored is not None and stored.sent_at >= later
    path = f"/api/v1/messages/{sent.json()['id']}/verify"
    verified = client.get(path, headers=auth(people["de"]))
    assert verified.json()["valid"] is True, verified.json()


def test_recipients_see_their_own_receipt_the_sender_all(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    message = _send(client, people["fr"], auth).json()
    path = f"/api/v1/messages/{message['id']}"
    client.get(path, headers=auth(people["it"]))  # Italy reads it
    seen_by_germany = client.get(path, headers=auth(people["de"])).json()["receipts"]
    assert [r["bureau"] for r in seen_by_germany] == ["DE"]
    seen_by_france = client.get(path, headers=auth(people["fr"])).json()["receipts"]
    assert {r["bureau"]: bool(r["read_at"]) for r in seen_by_france} == {"DE": True, "IT": True}


def test_attachment_names_in_any_script_and_the_file_count(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    sent = _multipart(client, people["fr"], auth, [("фото досье.png", PNG)]).json()
    got = client.get(sent["attachments"][0]["href"], headers=auth(people["de"]))
    assert got.status_code == 200 and got.content == PNG
    assert "filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE" in got.headers["content-disposition"]
    assert got.headers["x-content-type-options"] == "nosniff"
    many = _multipart(client, people["fr"], auth, [(f"{n}.txt", b"x") for n in range(11)])
    assert many.status_code == 422 and many.json()["errors"][0]["field"] == "attachments"
