"""The one way to watch calls between services (call-stack-aware recording proxies) and the one failure double."""
from __future__ import annotations

from typing import Any

import pytest

from support.contracts import CallLog, FailureDouble, RecordingProxy, record_services
from tests.contracts import toy_services as toy


class Ledger:
    """Shares the audit service with the note service, and calls the note service too."""

    dependencies = ("audit_service", "note_service")

    def __init__(self, audit_service: Any, note_service: Any) -> None:
        self.audit_service, self.note_service = audit_service, note_service

    def post(self, actor: toy.User, title: str) -> toy.Result[int]:
        note = self.note_service.create(actor, {"title": title})  # note_service calls audit_service itself
        self.audit_service.record(actor, "update", note.data.id)
        return toy.Result.ok(note.data.id)


def services() -> dict[str, Any]:
    audit = toy.AuditService()
    notes = toy.NoteService(audit_service=audit)
    return {"audit_service": audit, "note_service": notes, "ledger": Ledger(audit_service=audit, note_service=notes)}


def test_a_shared_proxy_records_the_service_that_really_called():
    log = CallLog()
    watched = record_services(services(), log, {"audit_service": toy.audit_contract()})
    assert watched["ledger"].post(toy.ALICE, "Rent").success
    assert [(r.caller, r.callee, r.method) for r in log.records] == [
        ("", "ledger", "post"),                      # test code calls in
        ("ledger", "note_service", "create"),
        ("note_service", "audit_service", "record"),  # through the same audit proxy the ledger holds ...
        ("ledger", "audit_service", "record"),        # ... but each call is the caller's own
    ]
    assert log.pairs() == {("ledger", "note_service"), ("note_service", "audit_service"), ("ledger", "audit_service")}
    assert log.violations() == []


def test_recording_patches_nothing_and_checks_calls_against_the_callee_contract():
    original = services()
    log = CallLog()
    watched = record_services(original, log, {"audit_service": toy.audit_contract()})
    assert original["note_service"].audit_service is original["audit_service"]  # the originals are untouched
    assert toy.NoteService.create.__qualname__ == "NoteService.create"
    with pytest.raises(TypeError):
        watched["audit_service"].record(toy.ALICE, "create")  # a call that does not bind to the contract
    assert log.violations() == ["audit_service.record called against its contract: missing a required argument: "
                                "'object_id'"]


def test_a_service_that_cannot_be_given_proxies_is_named():
    class Sealed:
        __slots__ = ()

        def __init__(self, *, audit_service: Any = None, token: Any) -> None:  # token: not an attribute
            pass

    with pytest.raises(ValueError, match="cannot watch the calls of sealed"):
        record_services({"audit_service": toy.AuditService(), "sealed": Sealed(token=1)}, CallLog())


def test_a_proxy_outside_any_service_uses_its_own_caller():
    log = CallLog()
    RecordingProxy("audit_service", toy.AuditService(), log, "note_service").record(toy.ALICE, "create", 1)
    assert [(r.caller, r.callee) for r in log.records] == [("note_service", "audit_service")]


def test_the_failure_double_answers_a_failure_or_raises_on_the_chosen_methods():
    down = toy.Result.fail("dependency_unavailable", {"audit": ["down"]})
    audit = FailureDouble(toy.AuditService(), methods=("record",), answer=lambda *args, **kwargs: down)
    assert audit.record(toy.ALICE, "create", 1) is down
    assert audit.entries == [] and (audit.calls, audit.failures) == (1, 1)

    provider = FailureDouble(toy.NoteStore(), failing=False)
    assert provider.add("kept").title == "kept"
    provider.failing = True
    with pytest.raises(ConnectionError, match="injected failure in NoteStore.add"):
        provider.add("lost")
    assert (provider.calls, provider.failures) == (2, 1)
    with pytest.raises(ValueError, match=r"has no method \['erase'\] to fail"):
        FailureDouble(toy.AuditService(), methods=("erase",))


def test_every_declared_pair_is_reported_even_without_an_implementation(make_framework):
    framework = make_framework()
    del framework.services["audit_service"]
    report = framework.run_comprehensive_service_tests()
    pair = report["integration_tests"]["note_service_audit_service"]
    assert pair["success"] is False and pair["errors"] == ["audit_service: no implementation"]
    assert report["summary"]["integration_tests"]["failed"] == 1
