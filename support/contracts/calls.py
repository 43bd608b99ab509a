"""One invocation of a service method (Call), how examples build theirs, and where its inputs sit."""
from __future__ import annotations

import contextlib
import inspect
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    """One invocation of a service method, with the arguments to pass."""

    method: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def with_argument(self, where: str | int, value: Any) -> Call:
        """The same call with one argument (a position or a keyword) replaced."""
        if isinstance(where, int):
            args = list(self.args)
            args[where] = value
            return Call(self.method, tuple(args), dict(self.kwargs))
        return Call(self.method, self.args, {**self.kwargs, where: value})

    def text(self) -> str:
        shown = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.method}({', '.join(shown)})"


# An example or a custom probe is a Call, or a callable building one right before the call (and the data it
# needs, inside the same rolled-back transaction). A callable taking one argument is given the contract's
# shared fixture (built once per validation), so examples stop building their own data every time.
CallSource = Call | Callable[[], Call] | Callable[[Any], Call]


_TAKES_FIXTURE: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def _takes_fixture(source: Callable[..., Any]) -> bool:
    """Whether the builder takes an argument; read once per builder (every probe case resolves one)."""
    try:
        return _TAKES_FIXTURE[source]
    except (KeyError, TypeError):
        pass
    try:
        params = inspect.signature(source).parameters.values()
    except (TypeError, ValueError):
        return False
    takes = any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params)
    with contextlib.suppress(TypeError):  # not weakly referenceable: read again next time
        _TAKES_FIXTURE[source] = takes
    return takes


def resolve_call(source: CallSource, fixture: Any = None) -> Call:
    if isinstance(source, Call):
        return source
    call = source(fixture) if _takes_fixture(source) else source()
    if not isinstance(call, Call):
        raise TypeError(f"an example or probe must give a Call, got {type(call).__name__}: {call!r}")
    return call


def is_id_name(name: str) -> bool:
    """Inputs that name an object by its id (`id`, `client_id`, …)."""
    return name == "id" or name.endswith("_id")


def data_mapping(call: Call) -> tuple[str | int, Mapping[str, Any]] | None:
    """Where the call's data mapping is (the 'data' keyword, else the first mapping argument) and the mapping."""
    if isinstance(call.kwargs.get("data"), Mapping):
        return "data", call.kwargs["data"]
    for index, arg in enumerate(call.args):
        if isinstance(arg, Mapping):
            return index, arg
    return next(((k, v) for k, v in call.kwargs.items() if isinstance(v, Mapping)), None)


def argument_position(call: Call, params: list[str], name: str) -> str | int | None:
    """Where the argument for parameter `name` is in the call: its keyword, its position, or None."""
    if name in call.kwargs:
        return name
    if name in params and params.index(name) < len(call.args):
        return params.index(name)
    return None
