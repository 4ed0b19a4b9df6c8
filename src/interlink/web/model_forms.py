"""Forms made from Pydantic models: the widgets of a model's fields, a submitted form
read back into the model's data, and the service's errors put back on their fields.

A form field is named by its place in the API body (``data.warrant.date``,
``data.charges.0.offence``), so an error the service names ``body.data.warrant.date``
lands on its field. Widgets follow the field's type: a record the subject is (chosen
among the bureau's own records), dates get a date input, enums and literals a select,
flags a checkbox, lists of words a textarea (one a line), lists of structures numbered
rows with an "add another" submit button (no JavaScript needed); optional structures
are sent only when something in them is filled. A ``FormStyle`` says what a family of
forms (notice requests, records) labels, leaves out or puts last.
"""

from __future__ import annotations

import datetime
import enum
import typing
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import Request
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from interlink.core.errors import AppError
from interlink.records.fields import CountryCode, PartialDate
from interlink.web.forms import without_none

__all__ = [
    "FormData",
    "FormStyle",
    "Node",
    "RecordChoices",
    "as_form_data",
    "errors_by_path",
    "layout",
    "parse_data",
    "read_form",
]

FormData = dict[str, list[str]]
"""A submitted form: each name with its values, in order."""

MAX_ROWS = 100
"""Rows of a list a form may carry (the longest list a type allows)."""

# Told apart by their validators (their last marks), not their length limits, which
# other types share.
_PARTIAL_DATE = typing.get_args(PartialDate)[-1:]
_COUNTRY = typing.get_args(CountryCode)[-1:]


@dataclass(frozen=True)
class FormStyle:
    """What a family of forms names, leaves out and puts last."""

    labels: Mapping[str, str] = field(default_factory=dict)
    skip: frozenset[tuple[type[BaseModel], str]] = frozenset()
    last: frozenset[str] = frozenset()
    roles: Mapping[type[BaseModel], str] = field(default_factory=dict)
    """Structures whose first field is a record of the bureau's, and what it is."""


async def read_form(request: Request) -> FormData:
    """A submitted form with every value of each name (files are not form fields)."""
    form: FormData = {}
    for name, value in (await request.form()).multi_items():
        form.setdefault(name, []).append(value if isinstance(value, str) else "")
    return form


def as_form_data(data: Mapping[str, Any], prefix: str = "data") -> FormData:
    """Existing data (a record to edit) as the form would carry it."""
    form: FormData = {}
    for name, value in data.items():
        path = f"{prefix}.{name}"
        if isinstance(value, Mapping):
            form |= as_form_data(value, path)
        elif isinstance(value, list) and value and isinstance(value[0], Mapping):
            for row, item in enumerate(value):
                form |= as_form_data(item, f"{path}.{row}")
        elif isinstance(value, list):
            form[path] = [str(v.value if isinstance(v, enum.Enum) else v) for v in value]
        elif isinstance(value, bool):
            form[path] = ["1"] if value else []
        elif value is not None:
            form[path] = [str(value.value if isinstance(value, enum.Enum) else value)]
    return form


@dataclass(frozen=True)
class _Spec:
    kind: str
    """text, textarea, number, decimal, date, partial, country, choice, multi, check,
    lines, record, group, rows"""
    choices: tuple[str, ...] = ()
    model: type[BaseModel] | None = None
    default: str = ""


def _spec(name: str, info: FieldInfo, style: FormStyle) -> _Spec:
    annotation, _ = without_none(info.annotation)
    metadata = list(info.metadata)
    if typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        metadata += extra
    default_text = str(info.default) if isinstance(info.default, str) else ""
    if typing.get_origin(annotation) is list:
        inner = typing.get_args(annotation)[0]
        if typing.get_origin(inner) is typing.Annotated:
            inner = typing.get_args(inner)[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return _Spec("rows", model=inner)
        if typing.get_origin(inner) is Literal:
            return _Spec("multi", tuple(str(c) for c in typing.get_args(inner)))
        return _Spec("lines")
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _Spec("group", model=annotation)
    if typing.get_origin(annotation) is Literal:
        choices = tuple(str(c) for c in typing.get_args(annotation))
        return _Spec("choice", choices, default=default_text)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        choices = tuple(str(member.value) for member in annotation)
        return _Spec("choice", choices, default=default_text)
    kinds = {bool: "check", uuid.UUID: "record", int: "number", float: "decimal"}
    if annotation in kinds:
        return _Spec(kinds[annotation])
    if any(mark in metadata for mark in _PARTIAL_DATE):
        return _Spec("partial")  # often known to the month or year only: not a date picker
    if annotation is datetime.date:
        return _Spec("date")
    if any(mark in metadata for mark in _COUNTRY):
        return _Spec("country")
    longest = next((m.max_length for m in metadata if hasattr(m, "max_length")), None)
    return _Spec("textarea" if longest is None or longest >= 1000 else "text")


def _fields(model: type[BaseModel], style: FormStyle) -> list[tuple[str, FieldInfo, _Spec]]:
    """The fields a form shows, the facts every request carries last."""
    shown = [(n, i) for n, i in model.model_fields.items() if (model, n) not in style.skip]
    shown.sort(key=lambda item: item[0] in style.last)  # stable: the model's order otherwise
    return [(name, info, _spec(name, info, style)) for name, info in shown]


def _label(name: str, style: FormStyle) -> str:
    return style.labels.get(name) or name.replace("_", " ").capitalize()


def _first(form: FormData, name: str) -> str:
    values = form.get(name)
    return values[0] if values else ""


def _row_count(form: FormData, path: str) -> int:
    """How many rows of the list ``path`` the form carries (at least one)."""
    prefix, last = f"{path}.", 0
    for name in form:
        if name.startswith(prefix):
            head = name[len(prefix) :].split(".", 1)[0]
            if head.isascii() and head.isdigit() and int(head) < MAX_ROWS:
                last = max(last, int(head) + 1)
    return max(last, 1)


# ---- parsing a submitted form into the type's data --------------------------------------


def parse_data(
    model: type[BaseModel],
    form: FormData,
    positions: dict[str, list[int]],
    *,
    style: FormStyle,
    prefix: str = "data",
) -> dict[str, Any]:
    """The ``data`` of a request as the form gives it (values as typed: validation is
    the service's). ``positions`` receives, for each list, the form row of each item kept
    (blank rows are left out), for ``errors_by_path`` to find an item's row again."""
    data, _ = _parse(model, form, prefix, prefix, positions, style)
    return data


def _parse(
    model: type[BaseModel],
    form: FormData,
    prefix: str,
    data_prefix: str,
    positions: dict[str, list[int]],
    style: FormStyle,
) -> tuple[dict[str, Any], bool]:
    """The structure and whether anything in it was filled in (choices with a default do
    not count: a blank optional structure is left out, a blank row dropped)."""
    out: dict[str, Any] = {}
    filled = False
    for name, info, spec in _fields(model, style):
        path, data_path = f"{prefix}.{name}", f"{data_prefix}.{name}"
        value = _first(form, path).strip()
        if spec.kind == "group" and spec.model is not None:
            inner, inner_filled = _parse(spec.model, form, path, data_path, positions, style)
            if inner_filled or info.is_required():
                out[name] = inner
            filled = filled or inner_filled
        elif spec.kind == "rows" and spec.model is not None:
            items: list[dict[str, Any]] = []
            kept: list[int] = []
            for row in range(_row_count(form, path)):
                item_path = f"{data_path}.{len(items)}"
                item, item_filled = _parse(
                    spec.model, form, f"{path}.{row}", item_path, positions, style
                )
                if item_filled:
                    items.append(item)
                    kept.append(row)
            positions[data_path] = kept
            out[name] = items
            filled = filled or bool(items)
        elif spec.kind == "multi":
            chosen = [v for v in form.get(path, []) if v]
            if chosen:
                out[name], filled = chosen, True
        elif spec.kind == "lines":
            lines = [line.strip() for line in value.splitlines() if line.strip()]
            if lines:
                out[name], filled = lines, True
        elif spec.kind == "check":
            if value:
                out[name], filled = True, True
        elif value:
            out[name] = value
            filled = filled or spec.kind != "choice"
    return out, filled


# ---- errors -----------------------------------------------------------------------------


def _form_path(path: str, positions: dict[str, list[int]]) -> str:
    """``data.charges.1.law`` (the second item kept) as the form names it (its row)."""
    data_prefix, parts = "", []
    for part in path.split("."):
        if part.isascii() and part.isdigit() and data_prefix in positions:
            kept = positions[data_prefix]
            parts.append(str(kept[int(part)]) if int(part) < len(kept) else part)
        else:
            parts.append(part)
        data_prefix = f"{data_prefix}.{part}" if data_prefix else part
    return ".".join(parts)


def errors_by_path(
    exc: AppError, positions: dict[str, list[int]], *, under: str = ""
) -> dict[str, str]:
    """Each error under the form path it names (``body.data.warrant.date`` ->
    ``data.warrant.date``; with ``under="data"``, ``body.plate`` -> ``data.plate``, for a
    body whose fields are the form's data); ``layout`` hangs it on that field or its
    nearest enclosing one. An error of the whole request (no field) is under ``form``."""
    found: dict[str, str] = {}
    for error in exc.errors or [{"field": "", "message": exc.detail}]:
        path = str(error.get("field") or "").removeprefix("body").removeprefix(".")
        if path and under:
            path = f"{under}.{path}"
        found.setdefault(_form_path(path, positions) or "form", str(error["message"]))
    return found


# ---- the widgets of a form --------------------------------------------------------------


@dataclass
class Node:
    """One widget of a form (or a fieldset of them), with what to show in it."""

    path: str
    kind: str
    label: str
    required: bool = False
    hint: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: str = ""
    values: list[str] = field(default_factory=list)
    blank: bool = True
    """Whether a select offers "no choice" (it has no default)."""
    error: str = ""
    children: list[Node] = field(default_factory=list)
    more: list[Node] = field(default_factory=list)
    """Optional parts of a fieldset, folded away unless filled in or in error."""
    open: bool = False
    add: str = ""

    @property
    def id(self) -> str:
        return self.path.replace(".", "-")

    @property
    def described_by(self) -> str:
        ids = ([f"{self.id}-hint"] if self.hint else []) + (
            [f"{self.id}-error"] if self.error else []
        )
        return " ".join(ids)

    def walk(self) -> typing.Iterator[Node]:
        yield self
        for child in (*self.children, *self.more):
            yield from child.walk()


RecordChoices = dict[str, list[tuple[str, str]]]
"""For each role of subject (person, body, asset): the records to choose from."""


def layout(
    model: type[BaseModel],
    form: FormData,
    records: RecordChoices,
    *,
    errors: dict[str, str] | None = None,
    add: str = "",
    prefix: str = "data",
    style: FormStyle,
) -> list[Node]:
    """The widgets of ``model``'s form filled with ``form`` (a blank form: ``{}``), one more
    row in the list ``add``, and each error on its field (or on its nearest fieldset)."""
    nodes = _layout(model, form, records, add, prefix, style, fresh=not form)
    if errors:
        _place(nodes, errors, prefix)
    for node in nodes:
        for inner in node.walk():
            if inner.more:
                shown = [n for m in inner.more for n in m.walk()]
                inner.open = any(n.error or n.values or (n.value and n.blank) for n in shown)
    return nodes


def _place(nodes: list[Node], errors: dict[str, str], prefix: str) -> None:
    """Hang each error of the data on its node, or the nearest enclosing one (``form`` if
    none); the others (recipients, public extract) are the page's."""
    by_path = {inner.path: inner for node in nodes for inner in node.walk()}
    for path, message in list(errors.items()):
        if path.partition(".")[0] != prefix:
            continue
        target = path
        while target and target not in by_path:
            target = target.rpartition(".")[0]
        node = by_path.get(target)
        if node is None:
            errors.setdefault("form", message)
        elif not node.error:
            node.error = message


def _layout(
    model: type[BaseModel],
    form: FormData,
    records: RecordChoices,
    add: str,
    prefix: str,
    style: FormStyle,
    *,
    fresh: bool,
) -> list[Node]:
    nodes: list[Node] = []
    role = style.roles.get(model)
    for name, info, spec in _fields(model, style):
        path = f"{prefix}.{name}"
        node = Node(
            path, spec.kind, _label(name, style), info.is_required(), info.description or ""
        )
        if spec.kind == "group" and spec.model is not None:
            children = _layout(spec.model, form, records, add, path, style, fresh=fresh)
            if children and children[0].kind == "record":
                node.children, node.more = children[:1], children[1:]
            else:
                node.children = children
        elif spec.kind == "rows" and spec.model is not None:
            singular = node.label.removesuffix("s")
            count = min(_row_count(form, path) + (add == path), MAX_ROWS)
            node.children = [
                Node(
                    f"{path}.{row}",
                    "group",
                    f"{singular} {row + 1}",
                    children=_layout(
                        spec.model, form, records, add, f"{path}.{row}", style, fresh=fresh
                    ),
                )
                for row in range(count)
            ]
            node.add = f"Add another {singular.lower()}"
        elif spec.kind == "record" and role is not None:
            node.label = f"{role.capitalize()} (a record of your bureau)"
            node.choices = records.get(role, [])
            node.value = _first(form, path)
        elif spec.kind in ("choice", "multi"):
            node.choices = [(c, c.replace("_", " ")) for c in spec.choices]
            node.values = [v for v in form.get(path, []) if v] if spec.kind == "multi" else []
            node.value = spec.default if fresh or path not in form else _first(form, path)
            node.blank = not spec.default
        else:
            node.value = _first(form, path)
            if spec.kind == "record":  # an id outside a subject: typed, not chosen
                node.kind, node.hint = "text", "the record's id"
            elif spec.kind == "lines":
                node.value = "\n".join(form.get(path, []))
                node.hint = "; ".join(filter(None, ("one a line", node.hint)))
            elif spec.kind == "partial":
                node.hint = "YYYY, YYYY-MM or YYYY-MM-DD"
            elif spec.kind == "country":
                node.hint = "ISO code: FR, DE ..."
        nodes.append(node)
    return nodes
