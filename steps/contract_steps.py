"""Steps of features/service_contracts.feature: thin calls into support.contracts / support.prs.contracts.

The database is ready and each scenario runs in a transaction (environment.py); the contract checks roll
back their own writes as well.
"""
from __future__ import annotations

import pybreaker
from behave import given, then, when
from django.utils import timezone

from support.contracts import compare_with_file
from support.contracts.doubles import FailureDouble
from support.contracts.resilience import FakeClock, check_circuit_breaker
from support.prs import contracts as prs_contracts


@given("the PRS services and their contracts")
def step_prs_services_and_contracts(context):
    context.contract_framework = prs_contracts.prs_framework()


@given('a version of "{service}" without its "{method}" operation')
def step_service_without_operation(context, service, method):
    framework = context.contract_framework
    original = framework.services[service]
    kept = {name: getattr(original, name) for name in framework.contracts[service].required_methods if name != method}
    framework.register_service_implementation(service, type(f"{service}_without_{method}", (), kept)())


@when('the contract of "{service}" is checked')
def step_check_contract(context, service):
    context.contract_result = context.contract_framework.validate_service_contract(service)


@then('every operation of "{service}" keeps its contract')
def step_every_operation_keeps_contract(context, service):
    result = context.contract_result
    assert result.service_name == service
    assert result.contract_valid, "\n".join(result.errors)
    assert result.exercised, f"{service}: no call was made, only its shape was checked"
    not_run = sorted(set(result.method_validations) - set(result.operations))
    assert not not_run, f"operations never exercised: {not_run}"


@then('every known failure of "{service}" is answered with its declared error code')
def step_failures_answered(context, service):
    runs = context.contract_result.error_handling
    contract = context.contract_framework.contracts[service]
    provoked = {name for run in runs.values() for name in run.declared_as}
    unprovoked = sorted(set(contract.error_conditions) - provoked)
    assert not unprovoked, f"declared but never provoked: {unprovoked} (probed: {sorted(runs)})"
    wrong = {c: r.detail for c, r in runs.items() if not r.handled_gracefully}
    assert not wrong, wrong


@then('the contract check reports "{kind}" for "{method}"')
def step_check_reports(context, kind, method):
    result = context.contract_result
    assert not result.contract_valid
    assert any(f.kind == kind and f.method == method for f in result.failures), result.errors


@when('"{caller}" works together with "{callee}"')
def step_pair(context, caller, callee):
    context.integration = context.contract_framework.test_service_integration(caller, callee)
    context.validation = context.contract_framework.validate_service_contract(caller)


@then('"{caller}" called "{callee}"')
def step_called(context, caller, callee):
    report = context.integration
    assert report["success"], report["errors"]
    assert report["caller"] == caller and report["callee"] == callee and report["calls"], report


@then('"{caller}" called no service outside its contract')
def step_no_undeclared(context, caller):
    declared = set(context.contract_framework.contracts[caller].dependencies)
    called = {r.callee for r in context.validation.dependency_calls}
    assert called <= declared, f"undeclared: {sorted(called - declared)}"
    assert "dependencies" not in context.validation.failed_kinds(), context.validation.errors


@when("the contracts of the code are compared with the published contract file")
def step_compare_file(context):
    context.compare_lines = []
    context.compare_code = compare_with_file(prs_contracts.prs_contracts(),
                                                          prs_contracts.CONTRACTS_FILE,
                                                          out=context.compare_lines.append)


@then("no contract changed without the version bump it needs")
def step_no_unbumped_change(context):
    assert context.compare_code == 0, "\n".join(context.compare_lines)


@given("the exchange-rate provider fails on every call")
def step_provider_fails(context):
    from prs.commissions.exchange_rates import FakeExchangeRateProvider
    from prs.commissions.services import CommissionService

    services = context.contract_framework.services
    context.rate_provider = FailureDouble(FakeExchangeRateProvider(), failing=False)
    context.breaker = pybreaker.CircuitBreaker(fail_max=3, reset_timeout=30)
    context.commissions = CommissionService(audit_service=services["audit_service"],
                                            notification_service=services["notification_service"],
                                            exchange_rate_provider=context.rate_provider,
                                            circuit_breaker=context.breaker)
    context.commissions.exchange_rates.sleep = lambda seconds: None  # retries without real back-off


@when("commissions in a foreign currency are calculated until the circuit breaker opens")
def step_calculate_until_open(context):
    w = prs_contracts.world()
    today = timezone.localdate()
    data = {"user": w.salesperson.pk, "period_start": today.replace(day=1).isoformat(),
            "period_end": today.isoformat(), "currency": "EUR"}
    context.breaker_check = check_circuit_breaker(
        lambda: context.commissions.calculate(w.admin, data), context.breaker, context.rate_provider, FakeClock(),
        unavailable_code=prs_contracts.UNAVAILABLE)


@then("the circuit breaker opens, fails fast, half-opens after its timeout and recovers")
def step_breaker_cycle(context):
    check = context.breaker_check
    assert len(check.stages) == 3, check.stages
    assert not [p for p in check.problems if "error code" not in p], check.problems


@then('callers are told the exchange rate is "{code}"')
def step_callers_told(context, code):
    assert code == prs_contracts.UNAVAILABLE
    assert context.breaker_check.ok, context.breaker_check.problems
