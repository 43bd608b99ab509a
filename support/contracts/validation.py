"""Check one implementation against its contract, collecting every failure (never only the first).

Kinds of failure (outcomes.CHECK_KINDS), each with its own check:
  missing_method    a required method is absent or not callable                       (static_checks)
  signature         parameter names/kinds/required-ness or return type differ          (static_checks)
  inputs            a declared input is not a parameter / not accepted in the data mapping
  outputs           an example call raised, or returned something not shaped like the declared output
  error_conditions  a probe (standard or declared) was not refused gracefully (answers), or answered with
                    another code than the declared one, or a declared condition cannot be provoked (error_checks)
  budgets           an operation or an error scenario took more time or queries than its budget
  dependencies      an undeclared service was called, a declared one never used, calls broke the callee's
                    contract, or the class's own `dependencies` disagree with the contract

Everything runs inside one rolled-back transaction holding the contract's shared fixture (built once), and
each call inside its own nested one, so calls never see each other's writes.
"""
from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from support.contracts.answers import code_text, error_text, is_result_like
from support.contracts.calls import Call, CallSource, data_mapping, resolve_call
from support.contracts.contract import DEFAULT_OPERATION_BUDGET, Budget, ServiceContract
from support.contracts.doubles import ContractDouble, ContractResult
from support.contracts.error_checks import ErrorConditionChecks
from support.contracts.injection import injectable_names, rebuild_with
from support.contracts.measure import Cost, measuring, rolled_back
from support.contracts.outcomes import (
    ContractValidationResult,
    Failure,
    OperationRun,
)
from support.contracts.probing import MethodInputs, method_inputs, synthesized_call
from support.contracts.recording import CallLog, RecordingProxy
from support.contracts.shapes import data_shape_problem
from support.contracts.static_checks import check_inputs, check_methods, data_inputs, takes_any_keyword

__all__ = ["AnyService", "ContractValidator"]

NOT_BUILT = object()


class AnyService:
    """Stand-in for a dependency that has neither an implementation nor a contract: accepts any call."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: ContractResult(success=True)


class ContractValidator:
    """Validates `implementation` against `contract`.

    collaborators: service name -> object the implementation may be given (real services or doubles); the
    declared dependencies, plus any other known service the implementation can take (to catch undeclared
    calls). collaborator_contracts: used for doubles of missing collaborators and to check calls made to them.
    """

    def __init__(
        self,
        contract: ServiceContract,
        implementation: Any,
        *,
        collaborators: Mapping[str, Any] | None = None,
        collaborator_contracts: Mapping[str, ServiceContract] | None = None,
        isolation: Callable[[], contextlib.AbstractContextManager[Any]] = rolled_back,
        clock: Callable[[], float] = time.perf_counter,
        exercise: bool = True,
    ) -> None:
        self.contract = contract
        self.implementation = implementation
        self.collaborators = dict(collaborators or {})
        self.collaborator_contracts = dict(collaborator_contracts or {})
        self.isolation = isolation
        self.clock = clock
        self.exercise = exercise
        self.log = CallLog()
        self.result = ContractValidationResult(contract.service_name, contract.version)
        self.fixture: Any = NOT_BUILT
        self._method_inputs: dict[str, MethodInputs] = {}
        self.example_calls: dict[str, Call] = {}  # each example as built for its run

    # -- entry points ------------------------------------------------------------------------------------
    def validate(self) -> ContractValidationResult:
        started = time.perf_counter()
        with self._phase("static"):
            present = check_methods(self.contract, self.implementation, self.fail, self.warn)
            check_inputs(self.contract, self.implementation, present, self.fail)
        if self.exercise:
            instrumented = self.instrumented()
            checks = ErrorConditionChecks(self)
            with self.shared_fixture():
                with self._phase("examples"):
                    self.exercise_examples(instrumented, present)
                with self._phase("probes"):
                    checks.run(instrumented, present)
            checks.record_probe_costs()
            self.check_dependencies(instrumented is not None)
        for method in self.contract.required_methods:
            self.result.method_validations[method] = not any(f.method == method for f in self.result.failures)
        self.result.dependency_calls = list(self.log.records)
        self.result.duration_ms = (time.perf_counter() - started) * 1000
        return self.result

    @contextlib.contextmanager
    def shared_fixture(self) -> Iterator[None]:
        """One transaction around every call, holding the contract's fixture (built once, then rolled back)."""
        with self.isolation():
            self.fixture = None
            if self.contract.fixture is not None:
                try:
                    with self._phase("fixture"):
                        self.fixture = self.contract.fixture()
                except Exception as exc:  # noqa: BLE001 - reported, and the calls needing it fail on their own
                    self.fail("outputs", "", f"the contract's fixture could not be built: {error_text(exc)}")
            try:
                yield
            finally:
                self.fixture = NOT_BUILT

    @contextlib.contextmanager
    def _phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.result.phase_ms[name] = self.result.phase_ms.get(name, 0.0) + (time.perf_counter() - started) * 1000

    def fail(self, kind: str, method: str, message: str) -> None:
        self.result.failures.append(Failure(kind, method, f"{self.contract.service_name}: {message}"))

    def warn(self, message: str) -> None:
        self.result.warnings.append(f"{self.contract.service_name}: {message}")

    # -- the implementation, with its collaborators behind recording proxies -----------------------------
    def instrumented(self) -> Any:
        declared = list(self.contract.dependencies)
        others = [n for n in self.collaborators if n not in declared and n != self.contract.service_name]
        names = declared + injectable_names(self.implementation, others)
        if not names:
            return self.implementation
        proxies = {n: RecordingProxy(n, self._collaborator(n), self.log, self.contract.service_name,
                                     self.collaborator_contracts.get(n)) for n in names}
        instance, problem = rebuild_with(self.implementation, proxies)
        if problem:
            self.warn(f"dependency calls not observable: {problem}")
            return None
        return instance

    def _collaborator(self, name: str) -> Any:
        if name in self.collaborators:
            return self.collaborators[name]
        if name in self.collaborator_contracts:
            return ContractDouble(self.collaborator_contracts[name])
        return AnyService()

    def resolve(self, source: CallSource) -> Call:
        return resolve_call(source, None if self.fixture is NOT_BUILT else self.fixture)

    def run_call(self, target: Any, call: Call) -> tuple[Any, BaseException | None, Cost]:
        with measuring(self.clock) as cost:
            try:
                value = getattr(target, call.method)(*call.args, **dict(call.kwargs))
                error = None
            except Exception as exc:  # noqa: BLE001 - an escaping exception is what we report
                value, error = None, exc
        return value, error, cost

    # -- examples ----------------------------------------------------------------------------------------
    def exercise_examples(self, instrumented: Any, present: set[str]) -> None:
        target = instrumented if instrumented is not None else self.implementation
        for method in self.contract.required_methods:
            if method not in present:
                continue
            source = self.contract.examples.get(method)
            if source is None:
                continue
            with self.isolation():
                try:
                    call = self.resolve(source)
                    self.example_calls[method] = call
                except Exception as exc:  # noqa: BLE001
                    self.fail("outputs", method, f"{method}: example could not be built: {error_text(exc)}")
                    continue
                value, error, cost = self.run_call(target, call)
            budget = self.contract.budgets.get(method, DEFAULT_OPERATION_BUDGET)
            run = OperationRun(method, False, cost.ms, cost.queries, budget_ms=budget.max_ms)
            self.result.operations[method] = run
            if error is not None:
                run.detail = f"raised {error_text(error)}"
                self.fail("outputs", method, f"{method}: exception escaped: {error_text(error)}")
                continue
            self._check_output(method, call, value, run)
            run.success = self.within_budget(method, budget, run.ms, run.queries, "") and run.success

    def _check_output(self, method: str, call: Call, value: Any, run: OperationRun) -> None:
        declared = self.contract.methods.get(method)
        if declared is not None and declared.returns in ("None", "NoneType"):
            run.success = value is None
            if value is not None:
                self.fail("outputs", method, f"{method}: returned {type(value).__name__}, contract says None")
            return
        if not is_result_like(value):
            self.fail("outputs", method, f"{method}: returned {type(value).__name__}, not a result "
                      "(success, data, errors, error_code)")
            return
        keys = data_inputs(self.contract, self.implementation, method)
        if not value.success:
            run.detail = f"refused: {code_text(value.error_code)} {value.errors}"
            kind = "inputs" if keys else "outputs"
            self.fail(kind, method, f"{method}: the example call was refused ({code_text(value.error_code)}: "
                      f"{value.errors}); declared inputs {self.contract.expected_inputs.get(method)}")
            return
        run.success = True
        if keys and not takes_any_keyword(self.implementation, method):
            found = data_mapping(call)
            carried = set(found[1]) if found else set()
            missing = [n for n in keys if n not in carried and n not in self.contract.optional_inputs.get(method, [])]
            if missing:
                self.fail("inputs", method, f"{method}: declared inputs {missing} are not parameters and the "
                          f"example's data does not carry them (keys: {sorted(carried)})")
        problem = data_shape_problem(value.data, self.contract.output_types.get(method, ""))
        if problem:
            self.fail("outputs", method, f"{method}: {problem}")

    def exercise_synthesized(self, instrumented: Any, present: set[str]) -> list[str]:
        """Call each method without an example once with placeholder inputs (for integration: it shows whom
        the method calls; its answer is not judged, the probes judge refusals). Returns the methods called."""
        target = instrumented if instrumented is not None else self.implementation
        called = []
        for method in self.contract.required_methods:
            if method not in present or method in self.contract.examples:
                continue
            call = synthesized_call(method, self.method_inputs(method))
            if call is None:
                continue
            with self.isolation():
                self.run_call(target, call)
            called.append(method)
        return called

    def within_budget(self, method: str, budget: Budget, ms: float, queries: int, what: str) -> bool:
        ok = True
        if budget.max_ms is not None and ms > budget.max_ms:
            self.fail("budgets", method, f"{method}{what}: took {ms:.1f} ms, budget {budget.max_ms} ms")
            ok = False
        if budget.max_queries is not None and queries > budget.max_queries:
            self.fail("budgets", method, f"{method}{what}: ran {queries} queries, budget {budget.max_queries}")
            ok = False
        return ok

    # -- error conditions --------------------------------------------------------------------------------
    def method_inputs(self, method: str) -> MethodInputs:
        if method not in self._method_inputs:  # signatures and type hints are read once per validation
            self._method_inputs[method] = method_inputs(self.contract, self.implementation, method)
        return self._method_inputs[method]

    def baseline(self, method: str) -> Call | None:
        source = self.contract.examples.get(method)
        if source is not None:
            return self.resolve(source)
        return synthesized_call(method, self.method_inputs(method))

    # -- dependencies ------------------------------------------------------------------------------------
    def check_dependencies(self, observable: bool) -> None:
        declared = set(self.contract.dependencies)
        own = getattr(type(self.implementation), "dependencies", None)
        if isinstance(own, (tuple, list)) and set(own) != declared:
            self.fail("dependencies", "", f"class declares dependencies {sorted(own)}, contract says "
                      f"{sorted(declared)}")
        for violation in self.log.violations():
            self.fail("dependencies", "", f"call against the callee's contract: {violation}")
        if not observable:
            return
        for callee in sorted(self.log.callees() - declared):
            methods = sorted({r.method for r in self.log.to(callee)})
            self.fail("dependencies", "", f"called undeclared dependency {callee} ({methods})")
        if any(run.source == "example" for run in self.result.operations.values()):
            for never in sorted(declared - self.log.callees()):
                self.fail("dependencies", "", f"declared dependency {never} was never called while exercised")
