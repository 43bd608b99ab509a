"""The workers' behave Context records where each attribute was set exactly as behave does, only lazily."""
from __future__ import annotations

import traceback
import warnings
from types import SimpleNamespace

import behave.runner
import pytest
from behave.runner import Context, ContextMaskWarning

from support.behave import context_records


class _Runner:  # what Context reads of its runner (it keeps a weak proxy: a class instance)
    config = SimpleNamespace(verbose=True)
    feature = None


def _assign(context: Context, value: object) -> None:
    context.thing = value  # the place both records must name


def _record(context: Context) -> tuple[object, ...]:
    frame = context._record["thing"]
    return frame.filename, frame.lineno, frame.name, frame.line


def test_the_place_recorded_is_the_one_behave_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(behave.runner, "traceback", traceback)
    runner = _Runner()
    plain = Context(runner)
    with plain.use_with_user_mode():  # a step or hook sets it
        _assign(plain, 1)
    context_records.install()
    context_records.install()  # idempotent
    assert isinstance(behave.runner.traceback, context_records._Traceback)
    lazy = Context(runner)
    with lazy.use_with_user_mode():
        _assign(lazy, 1)
    assert _record(lazy) == _record(plain)
    assert _record(lazy)[3] == "context.thing = value  # the place both records must name"
    assert behave.runner.traceback.format_exc is traceback.format_exc  # everything else is traceback's own

    lazy._push()  # behave masking what user code set: its warning names where that was, from the record
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _assign(lazy, 2)
    # behave's message puts the source line where it means the function (record[3]): the same here
    place = f"originally set in {_record(plain)[3]} ({__file__}:{_record(plain)[1]})"
    assert any(issubclass(w.category, ContextMaskWarning) and place in str(w.message) for w in caught), \
        [str(w.message) for w in caught]
