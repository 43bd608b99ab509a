"""The hash chain of the audit trail: entry_hash = sha256(previous_hash + canonical JSON of the entry)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from prs.audit.models import AuditLog


def canonical_entry(entry: AuditLog) -> str:
    body: dict[str, Any] = {
        "organization": entry.organization_id,
        "actor": entry.actor_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "changes": entry.changes,
        "ip_address": entry.ip_address,
        "created_at": entry.created_at.isoformat(),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(previous_hash: str, entry: AuditLog) -> str:
    return hashlib.sha256((previous_hash + canonical_entry(entry)).encode()).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    organization_id: int
    entry_id: int
    reason: str

    def describe(self) -> str:
        return f"organization {self.organization_id}: entry {self.entry_id}: {self.reason}"


@dataclass
class ChainReport:
    checked: int = 0
    organizations: int = 0
    broken: list[BrokenLink] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.broken


def verify_entries(organization_ids: list[int]) -> ChainReport:
    """Walks each organization's chain in id order; stops at the first broken link of each."""
    report = ChainReport()
    for organization_id in organization_ids:
        report.organizations += 1
        previous = ""
        entries = AuditLog.objects.filter(organization_id=organization_id).order_by("id").iterator(chunk_size=2000)
        for entry in entries:
            report.checked += 1
            if entry.previous_hash != previous:
                report.broken.append(
                    BrokenLink(organization_id, entry.id, "previous_hash does not match the entry before it")
                )
                break
            if entry_hash(previous, entry) != entry.entry_hash:
                report.broken.append(BrokenLink(organization_id, entry.id, "content does not match entry_hash"))
                break
            previous = entry.entry_hash
    return report
