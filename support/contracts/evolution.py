"""Contract evolution: what changed between two versions of a contract, how bad it is, and whether the
version bump says so (semver: breaking -> major, warning -> minor, info -> patch)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from support.contracts.contract import MethodSpec, ServiceContract
from support.contracts.signatures import same_annotation
from support.contracts.versioning import bump_between, bump_satisfies

BREAKING, WARNING, INFO = "breaking", "warning", "info"
REQUIRED_BUMP = {BREAKING: "major", WARNING: "minor", INFO: "patch"}
_ORDER = (INFO, WARNING, BREAKING)


@dataclass(frozen=True)
class Change:
    severity: str
    what: str
    method: str = ""

    def __str__(self) -> str:
        return f"{self.severity}: {self.what}"


@dataclass
class ContractComparison:
    service_name: str
    old_version: str
    new_version: str
    changes: list[Change] = field(default_factory=list)

    @property
    def required_bump(self) -> str:
        if not self.changes:
            return "none"
        return REQUIRED_BUMP[max((c.severity for c in self.changes), key=_ORDER.index)]

    @property
    def actual_bump(self) -> str:
        return bump_between(self.old_version, self.new_version)

    @property
    def bump_ok(self) -> bool:
        return bump_satisfies(self.actual_bump, self.required_bump)

    def problems(self) -> list[str]:
        if self.bump_ok:
            return []
        return [f"{self.service_name}: version {self.old_version} -> {self.new_version} is a "
                f"{self.actual_bump} bump, the changes need {self.required_bump}: "
                + "; ".join(str(c) for c in self.changes)]

    def to_dict(self) -> dict[str, Any]:
        return {"service_name": self.service_name, "old_version": self.old_version, "new_version": self.new_version,
                "required_bump": self.required_bump, "actual_bump": self.actual_bump, "bump_ok": self.bump_ok,
                "changes": [{"severity": c.severity, "what": c.what, "method": c.method} for c in self.changes]}


def _method_changes(name: str, old: MethodSpec, new: MethodSpec) -> list[Change]:
    changes: list[Change] = []
    old_params = {p.name: p for p in old.params}
    new_params = {p.name: p for p in new.params}
    for pname, param in old_params.items():
        if pname not in new_params:
            changes.append(Change(BREAKING, f"{name}: parameter {pname!r} removed", name))
            continue
        now = new_params[pname]
        if now.kind != param.kind:
            changes.append(Change(BREAKING, f"{name}: parameter {pname!r} {param.kind} -> {now.kind}", name))
        if now.required and not param.required:
            changes.append(Change(BREAKING, f"{name}: parameter {pname!r} became required", name))
        elif param.required and not now.required:
            changes.append(Change(INFO, f"{name}: parameter {pname!r} became optional", name))
        if param.annotation and now.annotation and not same_annotation(param.annotation, now.annotation):
            changes.append(Change(WARNING, f"{name}: parameter {pname!r} type {param.annotation} -> "
                                  f"{now.annotation}", name))
    for pname, param in new_params.items():
        if pname not in old_params:
            severity = BREAKING if param.required else INFO
            kind = "required" if param.required else "optional"
            changes.append(Change(severity, f"{name}: new {kind} parameter {pname!r}", name))
    old_positional = [p.name for p in old.params if p.kind in ("positional_only", "positional_or_keyword")]
    new_positional = [p.name for p in new.params if p.kind in ("positional_only", "positional_or_keyword")]
    kept = [n for n in old_positional if n in new_positional]
    if kept != [n for n in new_positional if n in kept]:
        changes.append(Change(BREAKING, f"{name}: positional parameters reordered {old_positional} -> "
                              f"{new_positional}", name))
    if old.returns != new.returns and not same_annotation(old.returns, new.returns):
        changes.append(Change(BREAKING, f"{name}: return type {old.returns or '?'} -> {new.returns or '?'}", name))
    return changes


def _input_changes(method: str, old: list[str], new: list[str], signature_known: bool) -> list[Change]:
    """Data-mapping inputs (and, without signatures, all inputs): a new one is required unless the contract
    says otherwise; we cannot know, so adding is a warning and removing is breaking."""
    if signature_known:
        return []
    changes = [Change(BREAKING, f"{method}: input {n!r} removed", method) for n in old if n not in new]
    changes += [Change(WARNING, f"{method}: new input {n!r}", method) for n in new if n not in old]
    return changes


def compare_contracts(old: ServiceContract, new: ServiceContract) -> ContractComparison:
    """Classify every change from `old` to `new`."""
    if old.service_name != new.service_name:
        raise ValueError(f"comparing different services: {old.service_name!r} vs {new.service_name!r}")
    result = ContractComparison(old.service_name, old.version, new.version)
    add = result.changes.append
    for method in old.required_methods:
        if method not in new.required_methods:
            add(Change(BREAKING, f"method {method!r} removed", method))
    for method in new.required_methods:
        if method not in old.required_methods:
            add(Change(INFO, f"new method {method!r}", method))
            continue
        old_spec, new_spec = old.methods.get(method), new.methods.get(method)
        if old_spec and new_spec:
            result.changes += _method_changes(method, old_spec, new_spec)
        old_params = {p.name for p in old_spec.params} if old_spec else set()
        new_params = {p.name for p in new_spec.params} if new_spec else set()
        result.changes += _input_changes(
            method,
            [n for n in old.expected_inputs.get(method, []) if n not in old_params],
            [n for n in new.expected_inputs.get(method, []) if n not in new_params],
            signature_known=False,
        )
        if not (old_spec and new_spec) and old.expected_outputs.get(method) != new.expected_outputs.get(method):
            add(Change(BREAKING, f"{method}: output {old.expected_outputs.get(method)!r} -> "
                                 f"{new.expected_outputs.get(method)!r}", method))
        if old.output_types.get(method, "") != new.output_types.get(method, "") and old_spec and new_spec \
                and same_annotation(old_spec.returns, new_spec.returns):
            add(Change(BREAKING, f"{method}: output data type {old.output_types.get(method)} -> "
                                 f"{new.output_types.get(method)}", method))
    for condition in old.error_conditions:
        if condition not in new.error_conditions:
            add(Change(WARNING, f"error condition {condition!r} removed"))
    for condition in new.error_conditions:
        if condition not in old.error_conditions:
            add(Change(WARNING, f"new error condition {condition!r} (callers must handle it)"))
        elif condition in old.errors and condition in new.errors:
            before, after = old.errors[condition], new.errors[condition]
            if before.code != after.code:
                add(Change(BREAKING, f"error condition {condition!r}: code {before.code} -> {after.code}"))
            if before.method != after.method:
                add(Change(WARNING, f"error condition {condition!r}: answered by {before.method} -> {after.method}"))
    for dep in new.dependencies:
        if dep not in old.dependencies:
            add(Change(WARNING, f"new dependency {dep}"))
    for dep in old.dependencies:
        if dep not in new.dependencies:
            add(Change(INFO, f"dependency {dep} removed"))
    for method in sorted(old.budgets.keys() | new.budgets.keys()):
        if old.budgets.get(method) != new.budgets.get(method):
            add(Change(INFO, f"{method}: budget {old.budgets.get(method)} -> {new.budgets.get(method)}", method))
    return result
