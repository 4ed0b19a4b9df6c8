"""Routes beyond plain CRUD: record files (photos, images) and firearm tracing requests."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, UploadFile, status

from interlink.access import Actor, Permission
from interlink.core.deps import DbSession
from interlink.members.deps import requires
from interlink.members.schemas import ItemList
from interlink.members.service import bureau_codes
from interlink.records import attachments, tracing
from interlink.records.schemas import FileRead, TraceAnswer, TraceCreate, TraceRead

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")

Reader = Annotated[Actor, Depends(requires(Permission.RECORDS_READ))]
Writer = Annotated[Actor, Depends(requires(Permission.RECORDS_WRITE))]


@router.post(
    "/records/{kind}/{record_id}/files",
    response_model=FileRead,
    status_code=status.HTTP_201_CREATED,
    tags=["record files"],
)
async def add_file(
    session: DbSession, actor: Writer, kind: str, record_id: uuid.UUID, file: UploadFile
) -> Any:
    # Read one byte past the limit so that an oversized upload is refused without
    # holding more than that in memory.
    content = await file.read(attachments.MAX_FILE_BYTES + 1)
    stored = attachments.add_file(
        session, kind, record_id, file.filename or "image", content, actor=actor
    )
    session.commit()
    return stored


@router.get(
    "/records/{kind}/{record_id}/files", response_model=ItemList[FileRead], tags=["record files"]
)
def list_files(session: DbSession, actor: Reader, kind: str, record_id: uuid.UUID) -> Any:
    return {"items": attachments.list_files(session, kind, record_id, actor=actor)}


_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/records/{kind}/{record_id}/files/{file_id}",
    tags=["record files"],
    response_class=Response,
    responses={
        200: {
            "description": "The image as stored",
            "content": {
                t: {"schema": {"type": "string", "format": "binary"}} for t in _IMAGE_TYPES
            },
        }
    },
)
def get_file(
    session: DbSession, actor: Reader, kind: str, record_id: uuid.UUID, file_id: uuid.UUID
) -> Response:
    stored = attachments.get_file(session, kind, record_id, file_id, actor=actor)
    return Response(
        stored.content,
        media_type=stored.content_type,
        headers={"X-Content-Type-Options": "nosniff", "ETag": f'"{stored.sha256}"'},
    )


@router.post(
    "/records/firearms/{firearm_id}/traces",
    response_model=TraceRead,
    status_code=status.HTTP_201_CREATED,
    tags=["firearm tracing"],
)
def request_trace(
    session: DbSession, actor: Writer, firearm_id: uuid.UUID, body: TraceCreate
) -> dict[str, Any]:
    trace = tracing.request_trace(session, firearm_id, body.question, actor=actor)
    session.commit()
    return tracing.trace_view(trace, bureau_codes(session))


@router.get("/traces", response_model=ItemList[TraceRead], tags=["firearm tracing"])
def list_traces(
    session: DbSession,
    actor: Reader,
    direction: Annotated[str | None, Query(pattern="^(sent|received)$")] = None,
) -> dict[str, Any]:
    codes = bureau_codes(session)
    traces = tracing.list_traces(session, actor=actor, direction=direction)
    return {"items": [tracing.trace_view(trace, codes) for trace in traces]}


@router.get("/traces/{trace_id}", response_model=TraceRead, tags=["firearm tracing"])
def get_trace(session: DbSession, actor: Reader, trace_id: uuid.UUID) -> dict[str, Any]:
    return tracing.trace_view(
        tracing.get_trace(session, trace_id, actor=actor), bureau_codes(session)
    )


@router.post("/traces/{trace_id}/answer", response_model=TraceRead, tags=["firearm tracing"])
def answer_trace(
    session: DbSession, actor: Writer, trace_id: uuid.UUID, body: TraceAnswer
) -> dict[str, Any]:
    trace = tracing.answer_trace(session, trace_id, body.answer, actor=actor)
    session.commit()
    return tracing.trace_view(trace, bureau_codes(session))
