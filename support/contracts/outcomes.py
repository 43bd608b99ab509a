"""What a contract validation found: failures by kind, operations run, error conditions probed."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from support.contracts.recording import CallRecord

CHECK_KINDS = ("missing_method", "signature", "inputs", "outputs", "error_conditions", "budgets", "dependencies")


@dataclass(frozen=True)
class Failure:
    kind: str
    method: str
    message: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.message}"


@dataclass
class OperationRun:
    """The cost of an operation: its example call, or (without one) the slowest of its probe calls."""

    method: str
    success: bool
    ms: float = 0.0
    queries: int = 0
    detail: str = ""
    source: str = "example"
    budget_ms: float | None = None

    def report(self) -> dict[str, Any]:
        """The seed's performance_tests entries for this operation."""
        m = self.method
        return {f"{m}_time_ms": round(self.ms, 3), f"{m}_queries": self.queries, f"{m}_success": self.success,
                f"{m}_budget_ms": self.budget_ms, f"{m}_measured_on": self.source}


@dataclass
class ProbeCase:
    """One provoking call: which condition, on which method, how (the variant), and how it was answered."""

    condition: str
    method: str
    variant: str
    handled_gracefully: bool = False
    error_code: str | None = None
    expected_code: str | None = None
    detail: str = ""
    ms: float = 0.0
    queries: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "variant": self.variant, "handled_gracefully": self.handled_gracefully,
                "error_code": self.error_code, "expected_code": self.expected_code, "detail": self.detail,
                "time_ms": round(self.ms, 3)}


@dataclass
class ErrorHandlingRun:
    """Every case of one error condition; it is handled gracefully when there were cases and all were."""

    condition: str
    cases: list[ProbeCase] = field(default_factory=list)
    declared_as: list[str] = field(default_factory=list)

    @property
    def handled_gracefully(self) -> bool:
        return bool(self.cases) and all(c.handled_gracefully for c in self.cases)

    def _first_bad(self) -> ProbeCase | None:
        return next((c for c in self.cases if not c.handled_gracefully), None)

    @property
    def method(self) -> str:
        case = self._first_bad() or (self.cases[0] if self.cases else None)
        return case.method if case else ""

    @property
    def error_code(self) -> str | None:
        return self.cases[0].error_code if self.cases else None

    @property
    def detail(self) -> str:
        bad = self._first_bad()
        if bad is not None:
            return f"{bad.detail} ({bad.method}, {bad.variant})"
        return "" if self.cases else "no call could be made to provoke it"

    def to_dict(self) -> dict[str, Any]:
        return {"handled_gracefully": self.handled_gracefully, "method": self.method, "error_code": self.error_code,
                "detail": self.detail, "declared_as": list(self.declared_as),
                "cases": [c.to_dict() for c in self.cases]}


@dataclass
class ContractValidationResult:
    service_name: str
    version: str
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    method_validations: dict[str, bool] = field(default_factory=dict)
    operations: dict[str, OperationRun] = field(default_factory=dict)
    error_handling: dict[str, ErrorHandlingRun] = field(default_factory=dict)
    dependency_calls: list[CallRecord] = field(default_factory=list)
    duration_ms: float = 0.0
    # Where the time went: fixture, examples, probes (standard and declared), static checks.
    phase_ms: dict[str, float] = field(default_factory=dict)

    @property
    def contract_valid(self) -> bool:
        return not self.failures

    @property
    def errors(self) -> list[str]:
        return [str(f) for f in self.failures]

    @property
    def exercised(self) -> int:
        """Calls made to the service: example calls and probe cases (0: only its shape was checked)."""
        examples = sum(1 for run in self.operations.values() if run.source == "example")
        return examples + sum(len(run.cases) for run in self.error_handling.values())

    def failed_kinds(self) -> set[str]:
        return {f.kind for f in self.failures}

    def performance(self) -> dict[str, Any]:
        return {key: value for run in self.operations.values() for key, value in run.report().items()}

    def to_dict(self) -> dict[str, Any]:
        """The seed's per-service report entry, plus what was measured."""
        return {"valid": self.contract_valid, "version": self.version, "errors": self.errors,
                "warnings": list(self.warnings), "method_validations": dict(self.method_validations),
                "exercised": self.exercised, "duration_ms": round(self.duration_ms, 3),
                "phase_ms": {phase: round(ms, 3) for phase, ms in self.phase_ms.items()}}
