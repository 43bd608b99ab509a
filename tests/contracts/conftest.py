"""Fixtures for the generic contract machinery tests: the toy services, a fake clock, no database."""
from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest

from support.contracts import ServiceContract, ServiceIntegrationTestFramework
from tests.contracts.toy_services import (
    AuditService,
    NoteService,
    NoteStore,
    SlowNoteService,
    audit_contract,
    fake_clock,
    note_contract,
)


@pytest.fixture
def store() -> NoteStore:
    return NoteStore()


@pytest.fixture
def make_framework(store: NoteStore) -> Callable[..., ServiceIntegrationTestFramework]:
    """A framework holding audit_service and note_service (class given), on a fake clock, without a database."""
    def make(note_class: type = NoteService, *, contract: ServiceContract | None = None,
             isolation: Callable[[], Any] = contextlib.nullcontext, **services: Any) -> ServiceIntegrationTestFramework:
        SlowNoteService.clock[0] = 0.0
        framework = ServiceIntegrationTestFramework(isolation=isolation, clock=fake_clock(SlowNoteService.clock))
        framework.register_service_contract(audit_contract())
        framework.register_service_contract(contract or note_contract(store))
        audit = AuditService()
        framework.register_service_implementation("audit_service", audit)
        framework.register_service_implementation("note_service", note_class(audit_service=audit, store=store))
        for name, implementation in services.items():
            framework.register_service_implementation(name, implementation)
        return framework

    return make
