"""Recorded dependency calls, doubles generated from contracts, integration of pairs, cycles."""
from __future__ import annotations

import pytest

from support.contracts import ContractDouble, ServiceContract, dependency_cycles
from tests.contracts import toy_services as toy


def test_a_double_has_only_the_contract_methods_and_checks_every_call():
    double = ContractDouble(toy.audit_contract())
    assert double.record(toy.ALICE, "create", 1).success
    with pytest.raises(AttributeError, match="audit_service has no method 'erase' in its contract"):
        double.erase()
    with pytest.raises(TypeError, match="missing a required argument: 'object_id'"):
        double.record(toy.ALICE, "create")
    assert double.verify() == ["audit_service.record called against its contract: missing a required argument: "
                               "'object_id'"]
    assert double.verify({"record": 2}) == double.verify()
    assert "record called 2 time(s), expected 1 time(s)" in double.verify({"record": 1})[-1]


def test_a_double_answers_what_it_is_told():
    double = ContractDouble(toy.audit_contract(), {"record": lambda actor, action, object_id: object_id * 10})
    assert double.record("a", "b", 4) == 40
    with pytest.raises(ValueError, match="returns for methods not in its contract: \\['nope'\\]"):
        ContractDouble(toy.audit_contract(), {"nope": 1})


def test_an_isolated_service_runs_against_doubles_and_their_interactions_are_verified(store):
    audit = ContractDouble(toy.audit_contract())
    service = toy.NoteService(audit_service=audit, store=store)
    assert service.create(toy.ALICE, {"title": "t"}).success
    assert audit.verify({"record": 1}) == []
    assert [(c.method, c.args) for c in audit.calls] == [("record", (toy.ALICE, "create", 1))]


def test_isolated_validation_uses_doubles_instead_of_registered_services(make_framework):
    framework = make_framework()
    framework.isolate = True
    result = framework.validate_service_contract("note_service")
    assert result.contract_valid, result.errors
    audit = framework.services["audit_service"]
    assert audit.entries == []  # the real audit service was never touched


def test_a_pair_integration_really_calls_the_callee(make_framework):
    framework = make_framework()
    report = framework.test_service_integration("note_service", "audit_service")
    assert report["success"], report["errors"]
    assert report["caller"] == "note_service" and report["callee"] == "audit_service"
    assert report["exercised"] == ["create", "get", "list"]
    assert report["calls"] == ["record"]
    assert framework.services["audit_service"].entries == [(toy.ALICE, "create", 1)]
    # Order of the pair does not matter: the caller is found from the contracts.
    assert framework.test_service_integration("audit_service", "note_service")["caller"] == "note_service"


def test_a_pair_fails_when_the_caller_never_calls_the_callee(make_framework):
    report = make_framework(toy.SilentNoteService).test_service_integration("note_service", "audit_service")
    assert not report["success"]
    assert "note_service never called audit_service while running ['create', 'get', 'list']" in report["errors"]


def test_a_pair_without_a_declared_dependency_is_not_a_success(make_framework):
    framework = make_framework()
    framework.register_service_contract(ServiceContract("mail_service", ["send"]))
    report = framework.test_service_integration("note_service", "mail_service")
    assert report == {"success": False, "services": ["note_service", "mail_service"],
                      "errors": ["neither note_service nor mail_service declares the other as a dependency"]}


def test_a_callee_that_raises_fails_the_pair(make_framework):
    class BrokenAudit(toy.AuditService):
        def record(self, actor, action, object_id):
            raise RuntimeError("disk full")

    framework = make_framework()
    framework.register_service_implementation("audit_service", BrokenAudit())
    report = framework.test_service_integration("note_service", "audit_service")
    assert not report["success"]
    assert "audit_service.record raised RuntimeError: disk full" in report["errors"]


def test_dependency_cycles_are_detected_and_fail_validation(make_framework, store):
    contracts = [ServiceContract("a", ["x"], dependencies=["b"]), ServiceContract("b", ["x"], dependencies=["c"]),
                 ServiceContract("c", ["x"], dependencies=["a"]), ServiceContract("d", ["x"], dependencies=["a"])]
    assert dependency_cycles(contracts) == [["a", "b", "c", "a"]]
    assert dependency_cycles(contracts[3:]) == []
    framework = make_framework()
    framework.register_service_contract(toy.audit_contract().__class__(
        **{**toy.audit_contract().__dict__, "dependencies": ["note_service"]}))
    result = framework.validate_service_contract("note_service")
    assert "dependency cycle: audit_service -> note_service -> audit_service" in " ".join(result.errors)
