"""Field snapshots and before/after diffs for the audit trail, as JSON-safe strings."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import models

Changes = dict[str, dict[str, str | None]]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, models.Model):
        return str(value.pk)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, str | None]:
    """Field values of obj (foreign keys by id) as strings."""
    values: dict[str, str | None] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = field.attname if isinstance(field, models.ForeignKey) else name
        values[name] = _text(getattr(obj, attname))
    return values


def diff(before: Mapping[str, str | None], after: Mapping[str, str | None]) -> Changes:
    """Only the fields whose value changed."""
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def created(after: Mapping[str, str | None]) -> Changes:
    return diff({}, after)


def deleted(before: Mapping[str, str | None]) -> Changes:
    return diff(before, {})


def save_changes(obj: Any, values: Mapping[str, Any], audited: Iterable[str],
                 then: Callable[[Any], Any] | None = None) -> Changes:
    """Set `values` on `obj`, bump its optimistic-locking version and save it (then `then(obj)`, for derived
    fields); returns what changed among the `audited` fields, for the audit trail."""
    fields = tuple(audited)
    before = snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.version += 1
    obj.save()
    if then is not None:
        then(obj)
    return diff(before, snapshot(obj, fields))

