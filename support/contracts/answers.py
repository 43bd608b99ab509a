"""How a service answered a call: a success, a graceful refusal, or a broken promise.

Generic: a refusal is graceful when the service says so in its own way, whatever its result type —
- it raised one of the contract's declared `error_types` (a service whose errors are exceptions), or
- the contract's `is_failure` predicate holds for the returned value, or, without one,
- the value has a `success` attribute that is False (a ServiceResult, a ContractResult, any result object).
Anything else — another exception escaping, a success, a value that is not a result — breaks the contract.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

RESULT_ATTRIBUTES = ("success", "data", "errors", "error_code")


def is_result_like(value: Any) -> bool:
    return all(hasattr(value, attribute) for attribute in RESULT_ATTRIBUTES)


def code_text(code: Any) -> str | None:
    return None if code is None else str(getattr(code, "value", code))


def error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def has_failed(value: Any) -> bool:
    """The default test for a refusal: a result-like object whose `success` is False."""
    return getattr(value, "success", None) is False


@dataclass(frozen=True)
class Answer:
    graceful: bool
    code: str | None = None
    detail: str = ""


def judge_refusal(value: Any, error: BaseException | None, *, error_types: tuple[type[BaseException], ...] = (),
                  is_failure: Callable[[Any], bool] | None = None) -> Answer:
    """Whether a call that must be refused (an error condition, a probe) was refused gracefully."""
    if error is not None:
        if error_types and isinstance(error, error_types):
            code = getattr(error, "code", None) or getattr(error, "error_code", None) or type(error).__name__
            return Answer(True, code_text(code), f"raised declared {error_text(error)}")
        return Answer(False, None, f"raised {error_text(error)}")
    refused = (is_failure or has_failed)(value)
    if refused:
        return Answer(True, code_text(getattr(value, "error_code", None) or getattr(value, "code", None)))
    if getattr(value, "success", None) is True or (is_failure is not None and value is not None):
        return Answer(False, None, "answered with success")
    return Answer(False, None, f"returned {type(value).__name__}, not a failure")


def unnamed_input(value: Any, input_name: str) -> str | None:
    """Why a refusal does not say what was wrong with `input_name`, or None when it does.

    A refusal that carries `errors` must make them a mapping that names the refused input among its keys
    (``title`` or a path under it, ``title.0``) with at least one message, and every message must be non-empty
    text: "bad input gets a clear error that names the problem and where it is". A refusal without an `errors`
    attribute (an exception, a result of another shape) is not judged here.
    """
    if not hasattr(value, "errors"):
        return None
    errors = value.errors
    if not isinstance(errors, Mapping):  # a failure of the right shape whose errors say nothing at all
        return f"it does not name {input_name!r} (its errors are {errors!r}, not a mapping of fields)"
    blank = [str(key) for key, messages in errors.items() if not are_messages(messages)]
    if blank:
        return f"its errors for {', '.join(repr(k) for k in blank)} hold no message"
    if not any(str(key) == input_name or str(key).startswith(f"{input_name}.") for key in errors):
        named = ", ".join(repr(str(k)) for k in errors) or "nothing"
        return f"it does not name {input_name!r} (its errors name {named})"
    return None


def are_messages(messages: Any) -> bool:
    """Non-empty text, or a non-empty list of it: what a refusal says of one field."""
    items = messages if isinstance(messages, list | tuple) else [messages]
    return bool(items) and all(isinstance(m, str) and m.strip() for m in items)
