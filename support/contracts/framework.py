"""The seed's ServiceIntegrationTestFramework: contracts + implementations, validated and exercised together."""
from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from typing import Any

from support.contracts.answers import is_result_like
from support.contracts.contract import ServiceContract
from support.contracts.doubles import ContractDouble
from support.contracts.graph import dependency_cycles, unknown_dependencies
from support.contracts.measure import rolled_back
from support.contracts.outcomes import ContractValidationResult, Failure
from support.contracts.validation import ContractValidator


def _rate(passed: int, total: int) -> float | None:
    """Percentage passed; None when nothing ran (zero tests are not a success)."""
    return round(100.0 * passed / total, 1) if total else None


class ServiceIntegrationTestFramework:
    """Holds contracts and implementations (any objects) and checks them.

    isolate=True gives every service doubles of its dependencies (generated from their contracts) instead of
    the registered implementations.
    """

    def __init__(self, *, isolate: bool = False,
                 isolation: Callable[[], contextlib.AbstractContextManager[Any]] = rolled_back,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.contracts: dict[str, ServiceContract] = {}
        self.services: dict[str, Any] = {}
        self.isolate = isolate
        self.isolation = isolation
        self.clock = clock

    # -- registration ------------------------------------------------------------------------------------
    def register_service_contract(self, contract: ServiceContract) -> None:
        if not isinstance(contract, ServiceContract):
            raise TypeError(f"register_service_contract takes a ServiceContract, got {type(contract).__name__}")
        self.contracts[contract.service_name] = contract

    def register_service_contracts(self, contracts: Iterable[ServiceContract]) -> None:
        for contract in contracts:
            self.register_service_contract(contract)

    def register_service_implementation(self, service_name: str, implementation: Any) -> None:
        if implementation is None:
            raise ValueError(f"implementation of {service_name!r} is None")
        self.services[service_name] = implementation

    def _contract(self, service_name: str) -> ServiceContract:
        if service_name not in self.contracts:
            raise KeyError(f"no contract registered for {service_name!r} (registered: {sorted(self.contracts)})")
        return self.contracts[service_name]

    def _implementation(self, service_name: str) -> Any:
        if service_name not in self.services:
            raise KeyError(f"no implementation registered for {service_name!r} (registered: {sorted(self.services)})")
        return self.services[service_name]

    def double(self, service_name: str, **returns: Any) -> ContractDouble:
        """A fake of `service_name` generated from its contract."""
        return ContractDouble(self._contract(service_name), returns)

    # -- checks ------------------------------------------------------------------------------------------
    def _validator(self, service_name: str, *, exercise: bool = True) -> ContractValidator:
        contract = self._contract(service_name)
        collaborators: dict[str, Any] = {}
        for name in self.contracts.keys() | self.services.keys():
            if name == service_name:
                continue
            if not self.isolate and name in self.services:
                collaborators[name] = self.services[name]
            elif name in self.contracts:
                collaborators[name] = ContractDouble(self.contracts[name])
        return ContractValidator(contract, self._implementation(service_name), collaborators=collaborators,
                                 collaborator_contracts=self.contracts, isolation=self.isolation, clock=self.clock,
                                 exercise=exercise)

    def validate_service_contract(self, service_name: str) -> ContractValidationResult:
        result = self._validator(service_name).validate()
        for cycle in dependency_cycles(self.contracts.values()):
            if service_name in cycle:
                result.failures.append(_cycle_failure(cycle))
        return result

    def test_service_integration(self, service_a: str, service_b: str) -> dict[str, Any]:
        """Exercise the caller of the pair with the other one's real implementation behind a recording proxy.

        The caller is whichever of the two declares the other as a dependency. It runs its examples, and one
        placeholder call (from its inputs) for each method without an example. Success means the examples
        succeeded, the caller really called the callee, every call fit the callee's contract and the callee
        answered with results.
        """
        started = time.perf_counter()
        report: dict[str, Any] = {"success": False, "services": [service_a, service_b], "errors": []}
        contract_a, contract_b = self._contract(service_a), self._contract(service_b)
        if service_b in contract_a.dependencies:
            caller, callee = contract_a, contract_b
        elif service_a in contract_b.dependencies:
            caller, callee = contract_b, contract_a
        else:
            report["errors"].append(f"neither {service_a} nor {service_b} declares the other as a dependency")
            return report
        report.update(caller=caller.service_name, callee=callee.service_name)
        collaborators: dict[str, Any] = {}
        for name in caller.dependencies:
            if name == callee.service_name:
                collaborators[name] = self._implementation(name)
            elif name in self.services and not self.isolate:
                collaborators[name] = self.services[name]
            elif name in self.contracts:
                collaborators[name] = ContractDouble(self.contracts[name])
        validator = ContractValidator(caller, self._implementation(caller.service_name),
                                      collaborators=collaborators, collaborator_contracts=self.contracts,
                                      isolation=self.isolation, clock=self.clock)
        instrumented = validator.instrumented()
        if instrumented is None:
            report["errors"].extend(validator.result.warnings)
            return report
        present = {m for m in caller.required_methods if callable(getattr(instrumented, m, None))}
        with validator.shared_fixture():
            validator.exercise_examples(instrumented, present)
            synthesized = validator.exercise_synthesized(instrumented, present)
        log = validator.log
        calls = log.to(callee.service_name)
        exercised = sorted([*validator.result.operations, *synthesized])
        refused = [f"{m}: {r.detail}" for m, r in validator.result.operations.items() if not r.success]
        report["exercised"] = exercised
        report["calls"] = [f"{r.method}({', '.join(sorted(r.kwargs))})" if r.kwargs else r.method for r in calls]
        report["errors"] += [f"{caller.service_name}.{e}" for e in refused]
        report["errors"] += log.violations()
        report["errors"] += [f"{callee.service_name}.{r.method} raised {r.raised}" for r in calls if r.raised]
        report["errors"] += [f"{callee.service_name}.{r.method} returned {type(r.result).__name__}, not a result"
                             for r in calls if r.raised is None and r.result is not None
                             and not is_result_like(r.result)]
        if not exercised:
            report["errors"].append(f"{caller.service_name}: nothing could be called (no example, no placeholder "
                                    "call from its inputs)")
        elif not calls:
            report["errors"].append(f"{caller.service_name} never called {callee.service_name} "
                                    f"while running {exercised}")
        report["success"] = not report["errors"]
        report["integration_result"] = {"interaction_tested": bool(calls), "calls_recorded": len(calls)}
        report["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
        return report

    def dependency_pairs(self) -> list[tuple[str, str]]:
        """Every declared (caller, callee) pair, whether or not both sides are registered."""
        return [(c.service_name, d) for c in self.contracts.values() for d in c.dependencies]

    def _pair_report(self, caller: str, callee: str) -> dict[str, Any]:
        missing = [f"{name}: no {what}" for name in (caller, callee)
                   for what, registry in (("contract", self.contracts), ("implementation", self.services))
                   if name not in registry]
        if missing:
            return {"success": False, "services": [caller, callee], "caller": caller, "callee": callee,
                    "errors": missing, "integration_result": {"interaction_tested": False, "calls_recorded": 0}}
        return self.test_service_integration(caller, callee)

    def run_comprehensive_service_tests(self) -> dict[str, Any]:
        """The seed's service test report: contract validations, integration tests, performance, error handling."""
        report: dict[str, Any] = {"contract_validations": {}, "integration_tests": {}, "performance_tests": {},
                                  "error_handling_tests": {}, "dependency_graph": {}}
        for name in sorted(self.contracts):
            if name not in self.services:
                report["contract_validations"][name] = {"valid": False, "errors": [f"{name}: no implementation"],
                                                        "warnings": [], "method_validations": {}}
                continue
            result = self.validate_service_contract(name)
            report["contract_validations"][name] = result.to_dict()
            report["performance_tests"][name] = result.performance()
            report["error_handling_tests"][name] = {c: r.to_dict() for c, r in result.error_handling.items()}
        for caller, callee in self.dependency_pairs():
            report["integration_tests"][f"{caller}_{callee}"] = self._pair_report(caller, callee)
        report["dependency_graph"] = {
            "edges": {c.service_name: list(c.dependencies) for c in self.contracts.values()},
            "cycles": dependency_cycles(self.contracts.values()),
            "unknown": unknown_dependencies(self.contracts.values()),
        }
        report["summary"] = _summary(report)
        return report


def _cycle_failure(cycle: list[str]) -> Failure:
    return Failure("dependencies", "", f"dependency cycle: {' -> '.join(cycle)}")


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    """Totals per block, and `ok`: everything that ran passed and something ran. A contract validation that
    exercised nothing (no call made: only its shape was checked) is not counted as passed."""
    def block(passed: int, total: int) -> dict[str, Any]:
        return {"total": total, "passed": passed, "failed": total - passed, "success_rate": _rate(passed, total)}

    validations = report["contract_validations"].values()
    integrations = report["integration_tests"].values()
    performance = [v for per in report["performance_tests"].values() for k, v in per.items() if k.endswith("_success")]
    errors = [r["handled_gracefully"] for per in report["error_handling_tests"].values() for r in per.values()]
    summary = {
        "contract_validation": block(sum(bool(v["valid"] and v.get("exercised")) for v in validations),
                                     len(validations)),
        "integration_tests": block(sum(i["success"] for i in integrations), len(integrations)),
        "performance_tests": block(sum(performance), len(performance)),
        "error_handling_tests": block(sum(errors), len(errors)),
        "dependency_cycles": len(report["dependency_graph"]["cycles"]),
        "not_exercised": sorted(name for name, v in report["contract_validations"].items() if not v.get("exercised")),
    }
    blocks = [summary[k] for k in ("contract_validation", "integration_tests", "performance_tests",
                                   "error_handling_tests")]
    summary["ok"] = (summary["contract_validation"]["total"] > 0 and not summary["dependency_cycles"]
                     and all(b["failed"] == 0 for b in blocks) and not summary["not_exercised"])
    return summary
