"""Each kind of contract failure is caught on a service broken that way, and only that way."""
from __future__ import annotations

import pytest

from support.contracts import CHECK_KINDS, Budget, ServiceContract
from support.contracts.measure import rolled_back
from tests.contracts import toy_services as toy


def test_the_correct_service_passes_every_check(make_framework):
    result = make_framework().validate_service_contract("note_service")
    assert result.contract_valid, result.errors
    assert result.method_validations == {"create": True, "get": True, "list": True}
    assert set(result.error_handling) == {"missing_required_fields", "invalid_data", "invalid_id"}
    assert all(run.handled_gracefully for run in result.error_handling.values())
    assert [r.callee for r in result.dependency_calls] == ["audit_service"]


@pytest.mark.parametrize(("broken", "kind", "fragment"), [
    (toy.MissingMethodNoteService, "missing_method", "method 'list' is missing"),
    (toy.RenamedParameterNoteService, "signature", "missing parameter 'note_id'"),
    (toy.RejectsBodyNoteService, "inputs", "example call was refused"),
    (toy.BareOutputNoteService, "outputs", "returned Note, not a result"),
    (toy.RaisingNoteService, "error_conditions", "let KeyError escape"),
    (toy.WrongCodeNoteService, "error_conditions", "answered 'validation_error', contract says 'not_found'"),
    (toy.SlowNoteService, "budgets", "took 50.0 ms, budget 5.0 ms"),
    (toy.SilentNoteService, "dependencies", "declared dependency audit_service was never called"),
])
def test_each_broken_service_fails_its_check(make_framework, broken, kind, fragment):
    result = make_framework(broken).validate_service_contract("note_service")
    assert not result.contract_valid
    assert kind in result.failed_kinds()
    assert any(fragment in e for e in result.errors), result.errors


def test_an_undeclared_dependency_call_is_reported(make_framework, store):
    framework = make_framework(toy.MailingNoteService, mail_service=toy.MailService())
    result = framework.validate_service_contract("note_service")
    assert result.failed_kinds() == {"dependencies"}
    assert any("undeclared dependency mail_service (['send'])" in e for e in result.errors), result.errors


def test_a_class_whose_dependencies_disagree_with_the_contract_fails(make_framework, store):
    framework = make_framework(contract=toy.note_contract(store, dependencies=[]))
    result = framework.validate_service_contract("note_service")
    assert any("class declares dependencies ['audit_service'], contract says []" in e for e in result.errors)
    assert any("undeclared dependency audit_service" in e for e in result.errors)


@pytest.mark.django_db
def test_a_service_over_its_query_budget_fails(make_framework):
    framework = make_framework(toy.QueryingNoteService, isolation=rolled_back)
    result = framework.validate_service_contract("note_service")
    assert result.failed_kinds() == {"budgets"}, result.errors
    assert any("ran 1 queries, budget 0" in e for e in result.errors)
    assert result.operations["create"].queries == 1


def test_all_failures_are_collected_not_only_the_first(make_framework, store):
    class ManyWays(toy.RenamedParameterNoteService, toy.SilentNoteService):
        list = None  # type: ignore[assignment]

    result = make_framework(ManyWays).validate_service_contract("note_service")
    assert {"missing_method", "signature", "dependencies"} <= result.failed_kinds(), result.errors
    assert result.method_validations["list"] is False and result.method_validations["get"] is False


def test_an_object_of_any_class_can_be_validated(make_framework, store):
    class Duck:  # no dependencies attribute, no constructor keywords: just methods
        def record(self, actor, action, object_id):
            return toy.Result.ok(1) if action in toy.ACTIONS else toy.Result.fail(toy.VALIDATION, {"action": ["?"]})

    framework = make_framework()
    framework.register_service_implementation("audit_service", Duck())
    result = framework.validate_service_contract("audit_service")
    assert result.contract_valid, result.errors
    assert any("not annotated" in w for w in result.warnings)


def test_declared_data_inputs_must_be_carried_by_the_example(make_framework, store):
    contract = toy.note_contract(store, data_inputs={"create": ["title", "body", "colour"]})
    result = make_framework(contract=contract).validate_service_contract("note_service")
    assert any("declared inputs ['colour']" in e for e in result.errors), result.errors


def test_a_seed_style_contract_checks_names_and_warns_about_what_it_cannot_exercise(make_framework):
    framework = make_framework()
    framework.register_service_contract(ServiceContract(
        service_name="note_service", required_methods=["create", "get", "archive"],
        expected_inputs={"get": ["note_id"]}, expected_outputs={"get": "Result with the note"},
        error_conditions=["Invalid note_id"], dependencies=["audit_service"],
        budgets={"get": Budget(max_ms=1)},
    ))
    result = framework.validate_service_contract("note_service")
    assert [str(f) for f in result.failures] == ["[missing_method] note_service: method 'archive' is missing"]
    assert any("not exercised" in w for w in result.warnings)


def test_check_kinds_are_the_documented_ones():
    assert CHECK_KINDS == ("missing_method", "signature", "inputs", "outputs", "error_conditions", "budgets",
                           "dependencies")
