"""The seed's standard probes, generated from `expected_inputs` alone, on services written here (not PRS):
a service that raises on missing fields, invalid data or an invalid id is invalid with the probe named; a
graceful one is valid; nothing exercised is not 100 %; the seed's example contract runs as written."""
from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest

from support.contracts import (
    Budget,
    Call,
    Probe,
    ServiceContract,
    ServiceIntegrationTestFramework,
    custom,
    invalid_id,
)
from support.contracts.probes import probe_for

STANDARD = {"missing_required_fields", "invalid_data", "invalid_id"}


@dataclass(frozen=True)
class Outcome:
    """A result type of its own: only `success` is shared with PRS's ServiceResult."""

    success: bool
    data: Any = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    error_code: str | None = None


def seed_contract(**changes: Any) -> ServiceContract:
    """The seed's example contract, as written in its documentation (plus `changes`)."""
    written: dict[str, Any] = dict(
        service_name="client_service",
        required_methods=["create", "get", "update", "delete", "list"],
        expected_inputs={
            "create": ["client_name", "email"],
            "get": ["client_id"]
        },
        expected_outputs={
            "create": "ServiceResult with client data",
            "get": "ServiceResult with client data"
        },
        error_conditions=["Missing required fields", "Invalid client_id"],
        dependencies=[]
    )
    return ServiceContract(**{**written, **changes})


class GracefulClients:
    """Refuses every bad input with a failed Outcome."""

    def __init__(self) -> None:
        self.clients: dict[int, dict[str, Any]] = {}
        self.ids = itertools.count(1)

    def create(self, data: dict[str, Any]) -> Outcome:
        bad = [k for k in ("client_name", "email") if not isinstance(data.get(k), str) or not data[k]]
        if bad:
            return Outcome(False, errors={k: ["required text"] for k in bad}, error_code="validation")
        client = {"id": next(self.ids), **data}
        self.clients[client["id"]] = client
        return Outcome(True, client)

    def get(self, client_id: int) -> Outcome:
        if isinstance(client_id, int) and client_id in self.clients:
            return Outcome(True, self.clients[client_id])
        return Outcome(False, errors={"client_id": ["not found"]}, error_code="not_found")

    def update(self, client_id: int, data: dict[str, Any] | None = None) -> Outcome:
        found = self.get(client_id)
        if found.success:
            found.data.update(data or {})
        return found

    def delete(self, client_id: int) -> Outcome:
        found = self.get(client_id)
        return Outcome(True, self.clients.pop(client_id)) if found.success else found

    def list(self) -> Outcome:
        return Outcome(True, list(self.clients.values()))


class RaisesOnMissingFields(GracefulClients):
    def create(self, data: dict[str, Any]) -> Outcome:
        return super().create({"client_name": data["client_name"], "email": data["email"]})


class RaisesOnInvalidData(GracefulClients):
    def create(self, data: dict[str, Any]) -> Outcome:
        if not all(k in data for k in ("client_name", "email")):
            return Outcome(False, error_code="validation")
        return super().create({**data, "email": data["email"].lower()})  # a mapping has no lower()


class RaisesOnInvalidId(GracefulClients):
    def get(self, client_id: int) -> Outcome:
        if client_id not in self.clients:
            raise ValueError(f"no client {client_id}")
        return Outcome(True, self.clients[client_id])


class TheIssuesService(GracefulClients):
    """Issue 15's example: create raises KeyError on missing fields, get/update/delete ValueError always."""

    def create(self, data: dict[str, Any]) -> Outcome:
        return Outcome(True, {"client_name": data["client_name"], "email": data["email"]})

    def get(self, client_id: int) -> Outcome:
        raise ValueError("not implemented")

    update = delete = get  # type: ignore[assignment]


def framework_with(service: Any, contract: ServiceContract | None = None,
                   **options: Any) -> ServiceIntegrationTestFramework:
    framework = ServiceIntegrationTestFramework(isolation=contextlib.nullcontext, **options)
    framework.register_service_contract(contract or seed_contract())
    framework.register_service_implementation("client_service", service)
    return framework


def test_a_graceful_service_is_valid_and_every_standard_probe_ran():
    result = framework_with(GracefulClients()).validate_service_contract("client_service")
    assert result.contract_valid, result.errors
    assert set(result.error_handling) == STANDARD
    assert all(run.handled_gracefully for run in result.error_handling.values())
    variants = {(c.method, c.variant) for run in result.error_handling.values() for c in run.cases}
    assert {("create", "'client_name' left out"), ("create", "'email' left out"),
            ("create", "'email' of the wrong type"), ("create", "'email' empty"),
            ("get", "'client_id' unknown"), ("get", "'client_id' negative"),
            ("get", "'client_id' of the wrong type"), ("delete", "'client_id' unknown")} <= variants
    assert result.error_handling["invalid_id"].declared_as == ["Invalid client_id"]
    assert result.error_handling["missing_required_fields"].declared_as == ["Missing required fields"]


@pytest.mark.parametrize(("service", "probe", "method", "escaped"), [
    (RaisesOnMissingFields, "missing_required_fields", "create", "KeyError"),
    (RaisesOnInvalidData, "invalid_data", "create", "AttributeError"),
    (RaisesOnInvalidId, "invalid_id", "get", "ValueError"),
])
def test_a_service_that_raises_is_invalid_with_the_probe_named(service, probe, method, escaped):
    result = framework_with(service()).validate_service_contract("client_service")
    assert not result.contract_valid
    assert result.failed_kinds() == {"error_conditions"}, result.errors
    named = [e for e in result.errors if f"'{probe}' ({method}," in e and f"let {escaped} escape" in e]
    assert named, result.errors
    assert not result.error_handling[probe].handled_gracefully
    assert result.method_validations[method] is False


def test_the_issues_service_is_invalid_not_valid_with_warnings():
    result = framework_with(TheIssuesService()).validate_service_contract("client_service")
    assert not result.contract_valid
    failed = {(f.method, f.message.split("'")[1]) for f in result.failures}
    assert {("create", "missing_required_fields"), ("create", "invalid_data"), ("get", "invalid_id"),
            ("update", "invalid_id"), ("delete", "invalid_id")} <= failed, result.errors
    assert any("let KeyError escape: 'client_name'" in e for e in result.errors)
    assert any("(get, 'client_id' unknown): get let ValueError escape: not implemented" in e for e in result.errors)


def test_a_success_where_a_refusal_is_due_breaks_the_contract():
    class AcceptsAnything(GracefulClients):
        def create(self, data: dict[str, Any]) -> Outcome:
            return Outcome(True, data)

    result = framework_with(AcceptsAnything()).validate_service_contract("client_service")
    assert any("'missing_required_fields' (create, 'email' left out): create answered with success" in e
               for e in result.errors), result.errors


@pytest.mark.parametrize("errors_for, expected", [
    (lambda bad: {"data": ["invalid"]}, "it does not name 'client_name' (its errors name 'data')"),
    (lambda bad: {k: None for k in bad}, "hold no message"),
    (lambda bad: None, "it does not name 'client_name' (its errors are None, not a mapping of fields)"),
    (lambda bad: {k: [""] for k in bad}, "hold no message"),
    (lambda bad: {f"{k}.0": ["required text"] for k in bad}, None),  # a path under the input names it
])
def test_a_refusal_must_name_the_refused_input_with_a_message(errors_for, expected):
    class Vague(GracefulClients):
        def create(self, data: dict[str, Any]) -> Outcome:
            refused = super().create(data)
            return refused if refused.success else Outcome(False, errors=errors_for(list(refused.errors)),
                                                           error_code="validation")

    result = framework_with(Vague()).validate_service_contract("client_service")
    if expected is None:
        assert result.contract_valid, result.errors
    else:
        assert any("(create, 'client_name' left out): create refused, but" in e and expected in e
                   for e in result.errors), result.errors


def test_the_seed_example_runs_as_written_and_reports_probes_and_times():
    report = framework_with(GracefulClients()).run_comprehensive_service_tests()
    assert set(report["error_handling_tests"]["client_service"]) == STANDARD
    assert all(entry["handled_gracefully"] for entry in report["error_handling_tests"]["client_service"].values())
    performance = report["performance_tests"]["client_service"]
    for operation in ("create", "get", "update", "delete"):
        assert isinstance(performance[f"{operation}_time_ms"], float)
        assert performance[f"{operation}_success"] is True
        assert performance[f"{operation}_budget_ms"] == 200.0  # measured on its probes: the error-scenario budget
    summary = report["summary"]
    assert summary["contract_validation"]["success_rate"] == 100
    assert summary["error_handling_tests"] == {"total": 3, "passed": 3, "failed": 0, "success_rate": 100.0}
    assert summary["ok"] is True


def test_the_seed_report_for_the_issues_service_is_not_a_success():
    summary = framework_with(TheIssuesService()).run_comprehensive_service_tests()["summary"]
    assert summary["contract_validation"]["success_rate"] == 0.0
    assert summary["error_handling_tests"]["failed"] == 3
    assert summary["ok"] is False


def test_zero_exercised_tests_is_not_a_hundred_percent():
    class Lister:
        def list(self) -> Outcome:
            return Outcome(True, [])

    framework = framework_with(Lister(), ServiceContract("client_service", ["list"]))
    report = framework.run_comprehensive_service_tests()
    summary = report["summary"]
    assert report["contract_validations"]["client_service"]["exercised"] == 0
    assert summary["performance_tests"] == {"total": 0, "passed": 0, "failed": 0, "success_rate": None}
    assert summary["error_handling_tests"]["success_rate"] is None
    assert summary["contract_validation"]["passed"] == 0  # valid in shape, but nothing was exercised
    assert summary["not_exercised"] == ["client_service"]
    assert summary["ok"] is False
    assert ServiceIntegrationTestFramework().run_comprehensive_service_tests()["summary"]["ok"] is False


def test_the_seed_strings_map_to_typed_probes_and_unknown_ones_fail():
    inputs = {"client_name", "email", "client_id"}
    assert probe_for("Missing required fields", inputs).kind == "missing_required_fields"
    assert probe_for("Invalid data", inputs).kind == "invalid_data"
    assert probe_for("Invalid client_id", inputs) == invalid_id("client_id")
    assert probe_for("Invalid email", inputs).inputs == ("email",)
    assert probe_for("Server on fire", inputs) is None
    contract = seed_contract()
    contract.error_conditions.append("Server on fire")
    result = framework_with(GracefulClients(), ServiceContract(**{
        **{k: getattr(contract, k) for k in ("service_name", "required_methods", "expected_inputs")},
        "error_conditions": ["Invalid client_id", "Server on fire"]})).validate_service_contract("client_service")
    assert [f.message for f in result.failures] == [
        "client_service: error condition 'Server on fire' cannot be provoked: it is not a standard probe "
        "(invalid_data, missing_required_fields, invalid_id, Invalid/Missing <input>) and has no provocation"]


def test_a_declared_probe_on_an_input_no_method_takes_fails():
    contract = seed_contract(error_conditions=[invalid_id("account_id")])
    result = framework_with(GracefulClients(), contract).validate_service_contract("client_service")
    assert any("error condition 'invalid_id' cannot be provoked: no method takes ['account_id']" in e
               for e in result.errors), result.errors


def test_a_custom_probe_is_a_callable_and_standard_probes_take_none():
    contract = seed_contract(error_conditions=[custom("duplicate", lambda: Call("create", (
        {"client_name": 7, "email": "x@example.com"},)))])
    result = framework_with(GracefulClients(), contract).validate_service_contract("client_service")
    assert result.contract_valid, result.errors
    assert result.error_handling["duplicate"].handled_gracefully
    with pytest.raises(ValueError, match="a standard probe .* takes no call"):
        Probe("invalid_id", call=lambda: Call("get"))
    with pytest.raises(ValueError, match="'invalid_id' is a standard probe, generated from the inputs"):
        seed_contract(error_conditions=["invalid_id"], provocations={"invalid_id": Call("get", (0,))})



def test_a_custom_probe_with_names_must_name_that_input():
    from support.contracts import ErrorSpec

    duplicate = Call("create", ({"client_name": 7, "email": "x@example.com"},))

    def contract(names: str) -> ServiceContract:
        return seed_contract(error_conditions=[custom("duplicate", lambda: duplicate)],
                             errors={"duplicate": ErrorSpec("create", "validation", "a name that is not text", names)})

    named = framework_with(GracefulClients(), contract("client_name")).validate_service_contract("client_service")
    assert named.contract_valid, named.errors
    unnamed = framework_with(GracefulClients(), contract("email")).validate_service_contract("client_service")
    assert any("'duplicate' (create, as declared): create refused, but it does not name 'email' (its errors "
               "name 'client_name')" in e for e in unnamed.errors), unnamed.errors
    assert ErrorSpec("create", "validation", "", "email").to_dict()["names"] == "email"
    assert "names" not in ErrorSpec("create", "validation").to_dict()  # published contracts unchanged without it

def test_standard_probes_can_be_narrowed_or_switched_off():
    contract = seed_contract(standard_probes=(invalid_id(methods=("get",)),), error_conditions=[])
    result = framework_with(RaisesOnMissingFields(), contract).validate_service_contract("client_service")
    assert result.contract_valid, result.errors
    assert set(result.error_handling) == {"invalid_id"}
    assert {c.method for c in result.error_handling["invalid_id"].cases} == {"get"}
    off = framework_with(TheIssuesService(), seed_contract(standard_probes=False, error_conditions=[]))
    assert off.validate_service_contract("client_service").error_handling == {}


class ClientError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class RaisesItsOwnErrors(GracefulClients):
    """Answers errors with exceptions of its own type: graceful when the contract declares that type."""

    def create(self, data: dict[str, Any]) -> Outcome:
        result = super().create(data)
        if not result.success:
            raise ClientError("validation")
        return result

    def get(self, client_id: int) -> Outcome:
        result = super().get(client_id)
        if not result.success:
            raise ClientError("not_found")
        return result


def test_graceful_failure_is_generic_declared_exceptions_and_predicates():
    assert not framework_with(RaisesItsOwnErrors()).validate_service_contract("client_service").contract_valid
    declared = seed_contract(error_types=(ClientError,))
    result = framework_with(RaisesItsOwnErrors(), declared).validate_service_contract("client_service")
    assert result.contract_valid, result.errors
    assert {c.error_code for c in result.error_handling["invalid_id"].cases if c.method == "get"} == {"not_found"}

    class Tuples:  # answers (ok, payload): no `success` attribute at all
        def get(self, client_id: int) -> Any:
            return (False, "missing") if client_id != 1 else (True, {"id": 1})

    lookup = {"required_methods": ["get"], "expected_inputs": {"get": ["client_id"]},
              "expected_outputs": {}, "error_conditions": []}
    by_predicate = seed_contract(**lookup, is_failure=lambda value: value[0] is False)
    result = framework_with(Tuples(), by_predicate).validate_service_contract("client_service")
    assert result.contract_valid, result.errors
    assert len(result.error_handling["invalid_id"].cases) == 3
    without = framework_with(Tuples(), seed_contract(**lookup)).validate_service_contract("client_service")
    assert not without.contract_valid


def test_an_error_scenario_over_the_default_200_ms_budget_fails():
    clock = [0.0]

    class SlowRefusals(GracefulClients):
        def get(self, client_id: int) -> Outcome:
            clock[0] += 0.250
            return super().get(client_id)

    framework = framework_with(SlowRefusals(), clock=lambda: clock[0])
    result = framework.validate_service_contract("client_service")
    assert "budgets" in result.failed_kinds()
    assert any("get (invalid_id, 'client_id' unknown): took 250.0 ms, budget 200.0 ms" in e for e in result.errors)


def test_an_operation_over_its_contract_budget_fails_on_its_example():
    clock = [0.0]

    class SlowList(GracefulClients):
        def list(self) -> Outcome:
            clock[0] += 0.020
            return super().list()

    contract = seed_contract(budgets={"list": Budget(max_ms=10)}, examples={"list": Call("list")})
    result = framework_with(SlowList(), contract, clock=lambda: clock[0]).validate_service_contract("client_service")
    assert any("list: took 20.0 ms, budget 10 ms" in e for e in result.errors), result.errors
    assert result.operations["list"].source == "example" and result.operations["list"].success is False


def test_a_refusal_the_contracts_review_rejects_breaks_the_contract():
    contract = seed_contract()
    contract.refusal_check = lambda refused: None if "reviewed" in str(refused.errors) else "unreviewed sentences"
    result = framework_with(GracefulClients(), contract).validate_service_contract("client_service")
    assert any("create refused, but unreviewed sentences" in e for e in result.errors), result.errors
