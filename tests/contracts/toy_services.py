"""Purpose-built services for the contract machinery's own tests: a correct pair, and one broken variant
per kind of contract failure. Nothing here knows PRS."""
from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from support.contracts import (
    INVALID_DATA,
    MISSING_REQUIRED_FIELDS,
    Budget,
    Call,
    ErrorSpec,
    ServiceContract,
    contract_from_protocol,
)

T = TypeVar("T")
VALIDATION, NOT_FOUND = "validation_error", "not_found"


@dataclass(frozen=True)
class Result(Generic[T]):
    success: bool
    data: T | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    error_code: str | None = None

    @classmethod
    def ok(cls, data: Any = None) -> Result[Any]:
        return cls(True, data)

    @classmethod
    def fail(cls, code: str, errors: dict[str, list[str]]) -> Result[Any]:
        return cls(False, None, errors, code)


@dataclass(frozen=True)
class User:
    """Who calls: context of every call, not data (the standard probes leave it alone)."""

    name: str


ALICE = User("alice")
ACTIONS = ("create", "update", "delete")


@dataclass
class Note:
    id: int
    title: str
    body: str = ""


class NoteStore:
    def __init__(self) -> None:
        self.notes: dict[int, Note] = {}
        self.ids = itertools.count(1)

    def add(self, title: str, body: str = "") -> Note:
        note = Note(next(self.ids), title, body)
        self.notes[note.id] = note
        return note


class AuditServiceProtocol(Protocol):
    def record(self, actor: User, action: str, object_id: int) -> Result[int]: ...


class NoteServiceProtocol(Protocol):
    """Notes of a user."""

    def create(self, actor: User, data: dict[str, Any]) -> Result[Note]: ...
    def get(self, actor: User, note_id: int) -> Result[Note]: ...
    def list(self, actor: User, filters: dict[str, Any] | None = None) -> Result[list[Note]]: ...


class AuditService:
    dependencies: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, int]] = []

    def record(self, actor: User, action: str, object_id: int) -> Result[int]:
        if action not in ACTIONS:
            return Result.fail(VALIDATION, {"action": [f"one of {ACTIONS}"]})
        self.entries.append((actor, action, object_id))
        return Result.ok(len(self.entries))


class NoteService:
    dependencies: ClassVar[tuple[str, ...]] = ("audit_service",)

    def __init__(self, audit_service: Any, store: NoteStore | None = None) -> None:
        self.audit_service = audit_service
        self.store = store or NoteStore()

    def create(self, actor: User, data: dict[str, Any]) -> Result[Note]:
        errors = self._validate(data)
        if errors:
            return Result.fail(VALIDATION, errors)
        note = self.store.add(data["title"], data.get("body", ""))
        self.audit_service.record(actor, "create", note.id)
        return Result.ok(note)

    def _validate(self, data: dict[str, Any]) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if "title" not in data:
            errors["title"] = ["required"]
        elif not isinstance(data["title"], str) or not data["title"]:
            errors["title"] = ["must be a non-empty string"]
        if not isinstance(data.get("body", ""), str):
            errors["body"] = ["must be a string"]
        return errors

    def get(self, actor: User, note_id: int) -> Result[Note]:
        note = self.store.notes.get(note_id)
        return Result.ok(note) if note else Result.fail(NOT_FOUND, {"note_id": [f"no note {note_id}"]})

    def list(self, actor: User, filters: dict[str, Any] | None = None) -> Result[list[Note]]:
        return Result.ok(list(self.store.notes.values()))


def audit_contract() -> ServiceContract:
    return contract_from_protocol(
        AuditServiceProtocol, "audit_service",
        examples={"record": Call("record", (ALICE, "create", 1))},
        # It records events about any object: an unknown or odd id is not its business to refuse.
        standard_probes=(MISSING_REQUIRED_FIELDS, INVALID_DATA),
    )


def note_contract(store: NoteStore, **overrides: Any) -> ServiceContract:
    """The contract of NoteService; its examples put the data they need into `store`."""
    def get_example() -> Call:
        return Call("get", (ALICE, store.add("existing").id))

    options: dict[str, Any] = dict(
        dependencies=["audit_service"],
        errors={
            "missing_required_fields": ErrorSpec("create", VALIDATION, "no title"),
            "invalid_data": ErrorSpec("create", VALIDATION, "title not a string"),
            "invalid_id": ErrorSpec("get", NOT_FOUND, "no such note"),
        },
        data_inputs={"create": ["title", "body"]},
        optional_inputs={"create": ["body"]},
        budgets={"create": Budget(max_ms=5.0, max_queries=0)},
        examples={
            "create": Call("create", (ALICE, {"title": "Groceries", "body": "milk"})),
            "get": get_example,
            "list": Call("list", (ALICE,)),
        },
    )
    options.update(overrides)
    return contract_from_protocol(NoteServiceProtocol, "note_service", **options)


# ---- broken variants: one per kind of failure ---------------------------------------------------------


class MissingMethodNoteService(NoteService):
    list = None  # type: ignore[assignment]


class RenamedParameterNoteService(NoteService):
    def get(self, actor: User, id: int) -> Result[Note]:  # noqa: A002 - the break under test
        return super().get(actor, id)


class RejectsBodyNoteService(NoteService):
    """Refuses an input its contract declares."""

    def create(self, actor: User, data: dict[str, Any]) -> Result[Note]:
        if "body" in data:
            return Result.fail(VALIDATION, {"body": ["unknown field"]})
        return super().create(actor, data)


class BareOutputNoteService(NoteService):
    """Returns the note itself instead of a result."""

    def get(self, actor: User, note_id: int) -> Result[Note]:
        return self.store.notes.get(note_id)  # type: ignore[return-value]


class RaisingNoteService(NoteService):
    """Lets a KeyError escape for an unknown id."""

    def get(self, actor: User, note_id: int) -> Result[Note]:
        return Result.ok(self.store.notes[note_id])


class WrongCodeNoteService(NoteService):
    def get(self, actor: User, note_id: int) -> Result[Note]:
        result = super().get(actor, note_id)
        return result if result.success else Result.fail(VALIDATION, result.errors)


class SlowNoteService(NoteService):
    """Spends 50 ms of a fake clock in create."""

    clock: ClassVar[list[float]] = [0.0]

    def create(self, actor: User, data: dict[str, Any]) -> Result[Note]:
        self.clock[0] += 0.050
        return super().create(actor, data)


def fake_clock(cell: list[float]) -> Callable[[], float]:
    return lambda: cell[0]


class QueryingNoteService(NoteService):
    """Runs a database query in create (its budget allows none)."""

    def create(self, actor: User, data: dict[str, Any]) -> Result[Note]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return super().create(actor, data)


class SilentNoteService(NoteService):
    """Never calls its declared audit_service."""

    def create(self, actor: User, data: dict[str, Any]) -> Result[Note]:
        errors = self._validate(data)
        return Result.fail(VALIDATION, errors) if errors else Result.ok(self.store.add(data["title"]))


class MailingNoteService(NoteService):
    """Also calls mail_service, which its contract does not declare."""

    def __init__(self, audit_service: Any, store: NoteStore | None = None, mail_service: Any = None) -> None:
        super().__init__(audit_service, store)
        self.mail_service = mail_service

    def create(self, actor: User, data: dict[str, Any]) -> Result[Note]:
        result = super().create(actor, data)
        if result.success and self.mail_service is not None:
            self.mail_service.send(actor, "note created")
        return result


class MailService:
    def send(self, to: str, text: str) -> Result[None]:
        return Result.ok()
