"""Running an operation: the command centre creates it (participating countries, targets
drawn from notices and records), edits it, moves it through its lifecycle, adds targets,
tasks and notes; the participating bureaus mark their tasks done and report results.

Every function takes the time as ``now`` (the router passes the app's clock) and leaves
its timeline line, audit entry and event in the caller's transaction (``journal.trace``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interlink.access import Action, Actor, Permission, check_permission, require
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.notices.reads import load_notice
from interlink.operations.journal import (
    member_countries,
    member_country,
    next_reference,
    set_countries,
    trace,
)
from interlink.operations.models import Operation, OperationResult, OperationTarget, OperationTask
from interlink.operations.reads import load_operation, may_manage, note_read
from interlink.operations.schemas import (
    NoteCreate,
    OperationCreate,
    OperationUpdate,
    ResultCreate,
    TargetRef,
    TaskCreate,
    TaskUpdate,
)
from interlink.operations.workflow import OPERATION_STEPS, ensure_open, next_status
from interlink.records.models import Record

__all__ = [
    "add_note",
    "add_result",
    "add_target",
    "add_task",
    "create_operation",
    "remove_target",
    "transition_operation",
    "update_operation",
    "update_task",
]

PAST = {"activate": "activated", "close": "closed"}


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise InvalidInput("body.end_date", f"ends ({end}) before it starts ({start})")


def _resolve_target(
    session: Session, ref: TargetRef, actor: Actor, field: str
) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """(notice id, record id) of a target ``actor`` may see; an unseen one is
    refused in the same words as an absent one."""
    if ref.notice_id is not None:
        try:
            notice = load_notice(session, "notice", ref.notice_id, actor, Action.READ)
        except NotFound:
            raise InvalidInput(
                f"{field}.notice_id", f"no notice {ref.notice_id} that you may see"
            ) from None
        return notice.id, None
    if ref.record_id is not None:
        try:
            record = require(session, Record, ref.record_id, actor, Action.READ)
        except NotFound:
            record = None
        if record is not None and record.deleted_at is None:
            return None, record.id
        raise InvalidInput(f"{field}.record_id", f"no record {ref.record_id} that you may see")
    raise InvalidInput(field, "give either 'notice_id' or 'record_id'")


def _add_target(
    session: Session, operation: Operation, ref: TargetRef, actor: Actor, field: str, now: datetime
) -> OperationTarget:
    notice_id, record_id = _resolve_target(session, ref, actor, field)
    same = (
        OperationTarget.notice_id == notice_id
        if notice_id
        else (OperationTarget.record_id == record_id)
    )
    if session.scalar(select(OperationTarget.id).where(
        OperationTarget.operation_id == operation.id, same
    )):  # fmt: skip
        which = "notice_id" if notice_id else "record_id"
        raise InvalidInput(f"{field}.{which}", f"already a target of {operation.reference}")
    target = OperationTarget(
        operation_id=operation.id, notice_id=notice_id, record_id=record_id, note=ref.note,
        added_at=now, added_by=actor.name,
    )  # fmt: skip
    session.add(target)
    session.flush()
    return target


def create_operation(
    session: Session, body: OperationCreate, *, actor: Actor, now: datetime
) -> Operation:
    check_permission(actor, Permission.OPERATIONS_MANAGE)
    countries = member_countries(session, body.countries, "body.countries")
    _check_dates(body.start_date, body.end_date)
    operation = Operation(
        reference=next_reference(session, "OP", now.year), name=body.name,
        objective=body.objective, status="planned", start_date=body.start_date,
        end_date=body.end_date, created_at=now, created_by=actor.name, updated_at=now,
        owner_bureau_id=actor.bureau_id,
    )  # fmt: skip
    set_countries(operation, countries)
    session.add(operation)
    session.flush()
    targets = [
        _add_target(session, operation, ref, actor, f"body.targets.{index}", now)
        for index, ref in enumerate(body.targets)
    ]
    trace(
        session, operation, "created", f"operation {operation.name} planned",
        actor=actor, now=now, countries=countries, targets=len(targets),
        private={"target_ids": [str(t.notice_id or t.record_id) for t in targets]},
    )  # fmt: skip
    return operation


def update_operation(
    session: Session, ident: str, body: OperationUpdate, *, actor: Actor, now: datetime
) -> Operation:
    """Change the fields sent; a country leaves only once it has no tasks left."""
    check_permission(actor, Permission.OPERATIONS_MANAGE)
    operation = load_operation(session, ident, actor, lock=True)
    ensure_open(operation.status, operation.reference)
    sent = body.model_dump(exclude_unset=True)
    for name in ("name", "objective", "countries"):
        if name in sent and sent[name] is None:
            raise InvalidInput(f"body.{name}", "may not be empty (leave it out to keep it)")
    if "countries" in sent:
        sent["countries"] = member_countries(session, sent["countries"], "body.countries")
        assigned = set(session.scalars(
            select(OperationTask.country).where(OperationTask.operation_id == operation.id)
        ))  # fmt: skip
        leaving = sorted(assigned - set(sent["countries"]))
        if leaving:
            raise InvalidInput(
                "body.countries", f"{', '.join(leaving)} still has tasks: reassign them first"
            )
    _check_dates(
        sent.get("start_date", operation.start_date), sent.get("end_date", operation.end_date)
    )
    before: dict[str, Any] = {}
    for name, value in sent.items():
        if getattr(operation, name) != value:
            before[name] = getattr(operation, name)
            if name == "countries":
                set_countries(operation, value)
            else:
                setattr(operation, name, value)
    if not before:  # nothing changed: the answer shows it as it is, a read
        note_read(session, operation, actor)
        return operation
    operation.updated_at = now
    changed = {name: sent[name] for name in before}
    trace(
        session, operation, "updated", f"changed {', '.join(before)}",
        actor=actor, now=now, before=before, changes=changed,
    )  # fmt: skip
    return operation


def transition_operation(
    session: Session, ident: str, step: str, *, actor: Actor, now: datetime
) -> Operation:
    """``activate`` (planned -> active) or ``close`` (planned or active -> closed)."""
    check_permission(actor, Permission.OPERATIONS_MANAGE)
    if step not in OPERATION_STEPS:
        raise InvalidInput("step", f"one of {', '.join(OPERATION_STEPS)}")
    operation = load_operation(session, ident, actor, lock=True)
    before = operation.status
    operation.status = next_status(OPERATION_STEPS, before, step, operation.reference)
    if step == "activate":
        operation.activated_at = now
    else:
        operation.closed_at = now
    operation.updated_at = now
    trace(
        session, operation, PAST[step], f"operation {PAST[step]}",
        actor=actor, now=now, before={"status": before},
    )  # fmt: skip
    return operation


def add_target(
    session: Session, ident: str, ref: TargetRef, *, actor: Actor, now: datetime
) -> OperationTarget:
    check_permission(actor, Permission.OPERATIONS_MANAGE)
    operation = load_operation(session, ident, actor, lock=True)
    ensure_open(operation.status, operation.reference)
    target = _add_target(session, operation, ref, actor, "body", now)
    operation.updated_at = now
    # The timeline and the event say a target was added, never which: a participant may
    # not be allowed to see it.
    trace(
        session, operation, "target_added", "target added", actor=actor, now=now,
        target=target.id, private={"notice_id": target.notice_id, "record_id": target.record_id},
    )  # fmt: skip
    return target


def remove_target(
    session: Session, ident: str, target_id: uuid.UUID, *, actor: Actor, now: datetime
) -> Operation:
    """Results that named the target keep their counts, without the link."""
    check_permission(actor, Permission.OPERATIONS_MANAGE)
    operation = load_operation(session, ident, actor, lock=True)
    ensure_open(operation.status, operation.reference)
    target = session.get(OperationTarget, target_id)
    if target is None or target.operation_id != operation.id:
        raise NotFound(f"no target {target_id} in {operation.reference}")
    session.execute(
        update(OperationResult).where(OperationResult.target_id == target.id).values(target_id=None)
    )
    private = {"notice_id": target.notice_id, "record_id": target.record_id}
    session.delete(target)
    operation.updated_at = now
    trace(
        session, operation, "target_removed", "target removed", actor=actor, now=now,
        target=target_id, private=private,
    )  # fmt: skip
    return operation


def _participant(session: Session, operation: Operation, code: str, field: str) -> str:
    country = member_country(session, code, field)
    if country not in operation.countries:
        raise InvalidInput(field, f"{country} does not take part in {operation.reference}")
    return country


def add_task(
    session: Session, ident: str, body: TaskCreate, *, actor: Actor, now: datetime
) -> OperationTask:
    check_permission(actor, Permission.OPERATIONS_MANAGE)
    operation = load_operation(session, ident, actor, lock=True)
    ensure_open(operation.status, operation.reference)
    country = _participant(session, operation, body.country, "body.country")
    task = OperationTask(
        operation_id=operation.id, title=body.title, country=country, due=body.due,
        created_at=now, created_by=actor.name,
    )  # fmt: skip
    session.add(task)
    session.flush()
    operation.updated_at = now
    trace(
        session, operation, "task_added", f"task for {country}: {task.title}",
        actor=actor, now=now, task=task.id, country=country, due=body.due,
    )  # fmt: skip
    return task


def update_task(
    session: Session, ident: str, task_id: uuid.UUID, body: TaskUpdate, *,
    actor: Actor, now: datetime,
) -> OperationTask:  # fmt: skip
    """The command centre edits any task; a participating bureau marks its own done (or
    not done again)."""
    operation = load_operation(session, ident, actor, lock=True)
    ensure_open(operation.status, operation.reference)
    task = session.get(OperationTask, task_id)
    if task is None or task.operation_id != operation.id:
        raise NotFound(f"no task {task_id} in {operation.reference}")
    sent = body.model_dump(exclude_unset=True)
    if not may_manage(actor):
        if set(sent) - {"done"}:
            raise Forbidden("a participating bureau only marks its tasks done")
        if task.country != actor.country:
            raise Forbidden(f"the task is {task.country}'s to mark done")
    for name in ("title", "country", "done"):
        if name in sent and sent[name] is None:
            raise InvalidInput(f"body.{name}", "may not be empty (leave it out to keep it)")
    if "country" in sent:
        sent["country"] = _participant(session, operation, sent["country"], "body.country")
    before = {name: getattr(task, name) for name in sent if getattr(task, name) != sent[name]}
    if not before:  # nothing changed: the answer shows the operation, a read
        note_read(session, operation, actor)
        return task
    for name in before:
        setattr(task, name, sent[name])
    if "done" in before:
        task.done_at, task.done_by = (now, actor.name) if task.done else (None, None)
    operation.updated_at = now
    state = "done" if task.done else "open"
    text = (
        f"task {state}: {task.title}" if list(before) == ["done"] else f"task changed: {task.title}"
    )
    trace(
        session, operation, "task_updated", text, actor=actor, now=now, before=before,
        task=task.id, changes={name: sent[name] for name in before},
    )  # fmt: skip
    return task


def add_result(
    session: Session, ident: str, body: ResultCreate, *, actor: Actor, now: datetime
) -> OperationResult:
    """An arrest, a seizure or a located person, in one participating country: the
    command centre records any country's, a participating bureau its own."""
    check_permission(actor, Permission.RECORDS_READ)
    operation = load_operation(session, ident, actor, lock=True)
    ensure_open(operation.status, operation.reference)
    if operation.status != "active":
        raise Conflict(f"{operation.reference} is planned: results come once it is active")
    code = body.country or actor.country
    if code is None:
        raise InvalidInput("body.country", "say in which participating country")
    country = _participant(session, operation, code, "body.country")
    if not may_manage(actor) and country != actor.country:
        raise InvalidInput(
            "body.country", f"a bureau reports its own country's results ({actor.country})"
        )
    if body.target_id is not None:
        target = session.get(OperationTarget, body.target_id)
        if (
            target is None
            or target.operation_id != operation.id
            or not _sees(session, target, actor)
        ):
            raise InvalidInput(
                "body.target_id", f"no target {body.target_id} in {operation.reference}"
            )
    result = OperationResult(
        operation_id=operation.id, kind=body.kind, country=country, count=body.count,
        description=body.description, target_id=body.target_id, recorded_at=now,
        recorded_by=actor.name, bureau=actor.bureau_code,
    )  # fmt: skip
    session.add(result)
    session.flush()
    operation.updated_at = now
    label = body.kind.replace("_", " ")
    trace(
        session, operation, "result_added", f"{label}: {body.count} in {country}",
        actor=actor, now=now, result=result.id, result_kind=body.kind, country=country,
        count=body.count,
    )  # fmt: skip
    return result


def _sees(session: Session, target: OperationTarget, actor: Actor) -> bool:
    ref = TargetRef.model_construct(notice_id=target.notice_id, record_id=target.record_id)
    try:
        _resolve_target(session, ref, actor, "body.target_id")
    except InvalidInput:
        return False
    return True


def add_note(
    session: Session, ident: str, body: NoteCreate, *, actor: Actor, now: datetime
) -> Operation:
    check_permission(actor, Permission.OPERATIONS_MANAGE)
    operation = load_operation(session, ident, actor, lock=True)
    ensure_open(operation.status, operation.reference)
    operation.updated_at = now
    trace(
        session, operation, "note_added", body.text, actor=actor, now=now,
        kind="note", at=body.at,
    )  # fmt: skip
    return operation
