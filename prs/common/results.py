"""The one return type of every service call: expected failures are values, not exceptions."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class ErrorCode(StrEnum):
    VALIDATION = "validation_error"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    UNAVAILABLE = "dependency_unavailable"
    LOCKED = "locked"


@dataclass(frozen=True)
class ServiceResult(Generic[T]):
    success: bool
    data: T | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    error_code: ErrorCode | None = None

    @classmethod
    def ok(cls, data: T | None = None) -> ServiceResult[T]:
        return cls(success=True, data=data)

    @classmethod
    def fail(cls, code: ErrorCode, errors: dict[str, list[str]] | None = None) -> ServiceResult[T]:
        return cls(success=False, errors=errors or {"non_field_errors": [code.value]}, error_code=code)


class ServiceBug(RuntimeError):
    """A collaborating service failed where its caller guaranteed valid input: a bug, so it rolls back."""


def expect_ok(result: ServiceResult[T]) -> T | None:
    if not result.success:
        raise ServiceBug(f"{result.error_code}: {result.errors}")
    return result.data
