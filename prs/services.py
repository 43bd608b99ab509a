"""Composition root: builds every PRS service with its dependencies injected by name."""
from __future__ import annotations

from typing import Any

from prs.audit.services import AuditService
from prs.clients.services import ClientService
from prs.commissions.services import CommissionService
from prs.deals.services import DealService, PaymentService
from prs.notifications.services import NotificationService

# In dependency order: each service's `dependencies` are built before it.
SERVICE_CLASSES: dict[str, type] = {
    "audit_service": AuditService,
    "notification_service": NotificationService,
    "commission_service": CommissionService,
    "client_service": ClientService,
    "deal_service": DealService,
    "payment_service": PaymentService,
}


def build_services(**overrides: Any) -> dict[str, object]:
    """All services keyed by name. An override (e.g. a fake audit_service) replaces that service and is
    injected into every service that depends on it."""
    built: dict[str, object] = {}
    for name, cls in SERVICE_CLASSES.items():
        if name in overrides:
            built[name] = overrides[name]
            continue
        built[name] = cls(**{dependency: built[dependency] for dependency in cls.dependencies})
    return built
