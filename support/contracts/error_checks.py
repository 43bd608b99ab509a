"""Error conditions: every probe planned for a contract (standard and declared) run and judged.

Each probe call runs in its own rolled-back transaction, starting from the method's baseline call rebuilt right
before it; its answer must be a graceful refusal (support/contracts/answers.py) with the declared code, if any,
within the error-scenario budget.
"""
from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from support.contracts.answers import error_text, judge_refusal, unnamed_input
from support.contracts.measure import Cost
from support.contracts.outcomes import ErrorHandlingRun, OperationRun, ProbeCase
from support.contracts.probes import (
    CUSTOM_KIND,
    INVALID_DATA_KIND,
    MISSING_REQUIRED_FIELDS_KIND,
    STANDARD_KINDS,
    STANDARD_PROBES,
    Probe,
)
from support.contracts.probing import PlannedCase, plan_cases

if TYPE_CHECKING:
    from support.contracts.validation import ContractValidator


class ErrorConditionChecks:
    """The error-condition part of one validation (it reports through the validator)."""

    def __init__(self, validator: ContractValidator) -> None:
        self.v = validator
        self.contract, self.result = validator.contract, validator.result
        self.fail, self.warn = validator.fail, validator.warn

    def _plan(self, probes: list[Probe], present: set[str]) -> dict[str, list[PlannedCase]]:
        """Per probe kind, every call provoking it on the methods present (one baseline per method)."""
        planned: dict[str, list[PlannedCase]] = {kind: [] for kind in STANDARD_KINDS if any(p.kind == kind
                                                                                         for p in probes)}
        for method in self.contract.required_methods:
            if method not in present:
                continue
            inputs = self.v.method_inputs(method)
            if not (inputs.data_keys or inputs.plain_params or inputs.id_inputs):
                continue  # nothing a standard probe could change
            # Planning only reads which inputs the baseline carries: the example call as already built for
            # its own run will do; else build it, in a transaction of its own (a builder may write).
            baseline = self.v.example_calls.get(method)
            source = self.contract.examples.get(method)
            if baseline is None:
                with self.v.isolation() if callable(source) else contextlib.nullcontext():
                    try:
                        baseline = self.v.baseline(method)
                    except Exception as exc:  # noqa: BLE001 - already an 'outputs' failure of the example
                        self.warn(f"{method} not probed: its example could not be built: {error_text(exc)}")
                        continue
            if baseline is None:
                continue
            for probe in probes:
                planned[probe.kind] += plan_cases(probe, method, baseline, inputs)
        return planned

    def run(self, instrumented: Any, present: set[str]) -> None:
        target = instrumented if instrumented is not None else self.v.implementation
        declared_by_kind: dict[str, list[str]] = {}
        for name in self.contract.error_conditions:
            probe = self.contract.probes.get(name)
            if probe is None:
                spec = self.contract.errors.get(name)
                self.fail("error_conditions", spec.method if spec else "",
                          f"error condition {name!r} cannot be provoked: it is not a standard probe "
                          f"({', '.join(STANDARD_KINDS)}, Invalid/Missing <input>) and has no provocation")
            elif probe.kind == CUSTOM_KIND:
                self._run_custom(target, name, probe, present)
            else:
                declared_by_kind.setdefault(probe.kind, []).append(name)
        for kind, planned in self._plan(self._standard_probes(declared_by_kind), present).items():
            declared = declared_by_kind.get(kind, [])
            run = ErrorHandlingRun(kind, declared_as=declared)
            run.cases = [self._run_case(target, case) for case in planned]
            if planned:
                self.result.error_handling[kind] = run
            for name in declared:
                narrowed = self.contract.probes[name]
                if not any(self._case_matches(narrowed, case) for case in planned):
                    self.fail("error_conditions", "", f"error condition {name!r} cannot be provoked: no method "
                              f"takes {list(narrowed.inputs) or 'an input it applies to'}")

    def _standard_probes(self, declared_by_kind: dict[str, list[str]]) -> list[Probe]:
        """The contract's choice of standard probes (all of them by default), plus the declared ones of a kind
        it left out."""
        chosen = self.contract.standard_probes
        probes = list(STANDARD_PROBES) if chosen is True else list(chosen or ())
        kinds = {p.kind for p in probes}
        return probes + [self.contract.probes[name] for kind, names in declared_by_kind.items() if kind not in kinds
                         for name in names]

    @staticmethod
    def _case_matches(probe: Probe, case: PlannedCase) -> bool:
        return probe.kind == case.condition and probe.applies_to(case.method, case.input)

    def _expected_code(self, case: PlannedCase) -> str | None:
        for name, spec in self.contract.errors.items():
            probe = self.contract.probes.get(name)
            if probe is not None and spec.method == case.method and self._case_matches(probe, case):
                return spec.code
        return None

    def _run_case(self, target: Any, case: PlannedCase) -> ProbeCase:
        outcome = ProbeCase(case.condition, case.method, case.variant, expected_code=self._expected_code(case))
        with self.v.isolation():
            try:
                baseline = self.v.baseline(case.method)
                assert baseline is not None  # planned from it
                call = case.call(baseline)
            except Exception as exc:  # noqa: BLE001
                outcome.detail = f"could not be built: {error_text(exc)}"
                self.fail("error_conditions", case.method, f"{case.condition!r} ({case.method}, {case.variant}): "
                          f"{outcome.detail}")
                return outcome
            value, error, cost = self.v.run_call(target, call)
        names = case.input if case.condition in (MISSING_REQUIRED_FIELDS_KIND, INVALID_DATA_KIND) else None
        self._judge(outcome, value, error, cost, names=names)
        return outcome

    def _run_custom(self, target: Any, name: str, probe: Probe, present: set[str]) -> None:
        spec = self.contract.errors.get(name)
        with self.v.isolation():
            try:
                call = self.v.resolve(probe.call)  # type: ignore[arg-type]
            except Exception as exc:  # noqa: BLE001
                self.fail("error_conditions", spec.method if spec else "",
                          f"{name!r}: provocation could not be built: {error_text(exc)}")
                return
            if call.method not in present:
                return  # already a missing_method failure
            value, error, cost = self.v.run_call(target, call)
        outcome = ProbeCase(name, call.method, "as declared", expected_code=spec.code if spec else None)
        self.result.error_handling[name] = ErrorHandlingRun(name, [outcome], declared_as=[name])
        self._judge(outcome, value, error, cost, names=spec.names if spec and spec.names else None)

    def _judge(self, outcome: ProbeCase, value: Any, error: BaseException | None, cost: Cost,
               names: str | None = None) -> None:
        """Graceful, with the declared code, naming the refused input (`names`: a data key or parameter the
        probe left out or spoiled), within the error budget."""
        outcome.ms, outcome.queries = cost.ms, cost.queries
        answer = judge_refusal(value, error, error_types=self.contract.error_types,
                               is_failure=self.contract.is_failure)
        where = f"{outcome.condition!r} ({outcome.method}, {outcome.variant})"
        if not answer.graceful:
            outcome.detail = answer.detail
            escaped = f"let {type(error).__name__} escape: {error}" if error is not None \
                and answer.detail.startswith("raised") else answer.detail
            self.fail("error_conditions", outcome.method, f"{where}: {outcome.method} {escaped}")
            return
        outcome.error_code = answer.code
        if outcome.expected_code is not None and answer.code != outcome.expected_code:
            outcome.detail = f"code {answer.code!r}, declared {outcome.expected_code!r}"
            self.fail("error_conditions", outcome.method, f"{where}: {outcome.method} answered {answer.code!r}, "
                      f"contract says {outcome.expected_code!r}")
            return
        unnamed = unnamed_input(value, names) if names and error is None else None
        if unnamed is None and error is None and self.contract.refusal_check is not None:
            unnamed = self.contract.refusal_check(value)
        if unnamed:
            outcome.detail = f"refused, but {unnamed}"
            self.fail("error_conditions", outcome.method, f"{where}: {outcome.method} refused, but {unnamed}")
            return
        outcome.handled_gracefully = self.v.within_budget(outcome.method, self.contract.error_budget, cost.ms,
                                                         cost.queries, f" ({outcome.condition}, {outcome.variant})")

    def record_probe_costs(self) -> None:
        """Operations without an example are measured on their probe calls (the slowest one)."""
        for method in self.contract.required_methods:
            if method in self.result.operations:
                continue
            cases = [c for run in self.result.error_handling.values() for c in run.cases if c.method == method]
            if not cases:
                self.warn(f"{method}: not exercised (no example call, and no probe applies to its inputs)")
            else:
                slowest = max(cases, key=lambda c: c.ms)
                self.result.operations[method] = OperationRun(
                    method, all(c.handled_gracefully for c in cases), slowest.ms, max(c.queries for c in cases),
                    source="probes", budget_ms=self.contract.error_budget.max_ms)
