"""Check one implementation against its contract, collecting every failure (never only the first).

Kinds of failure, each with its own check:
  missing_method    a required method is absent or not callable
  signature         parameter names/kinds/required-ness or return type differ from the contract
  inputs            a declared input is not a parameter / not accepted in the data mapping
  outputs           a call raised, or returned something not shaped like the declared output
  error_conditions  a provoked error condition was not answered as a result-like failure with the declared code
  budgets           an operation took more time or queries than its budget
  dependencies      an undeclared service was called, a declared one never used, calls broke the callee's
                    contract, or the class's own `dependencies` disagree with the contract
"""
from __future__ import annotations

import contextlib
import importlib
import inspect
import itertools
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from support.contracts.contract import Call, ServiceContract, resolve_call
from support.contracts.doubles import ContractDouble, ContractResult
from support.contracts.injection import injectable_names, rebuild_with
from support.contracts.measure import measuring, rolled_back
from support.contracts.recording import CallLog, CallRecord, RecordingProxy
from support.contracts.signatures import method_spec, signature_problems

CHECK_KINDS = ("missing_method", "signature", "inputs", "outputs", "error_conditions", "budgets", "dependencies")
MISSING_ID = 2_147_483_000  # an id no test database reaches


@dataclass(frozen=True)
class Failure:
    kind: str
    method: str
    message: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.message}"


@dataclass
class OperationRun:
    method: str
    success: bool
    ms: float = 0.0
    queries: int = 0
    detail: str = ""


@dataclass
class ErrorHandlingRun:
    condition: str
    method: str
    handled_gracefully: bool
    error_code: str | None = None
    expected_code: str | None = None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"handled_gracefully": self.handled_gracefully, "method": self.method,
                "error_code": self.error_code, "expected_code": self.expected_code, "detail": self.detail}


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

    @property
    def contract_valid(self) -> bool:
        return not self.failures

    @property
    def errors(self) -> list[str]:
        return [str(f) for f in self.failures]

    def failed_kinds(self) -> set[str]:
        return {f.kind for f in self.failures}

    def to_dict(self) -> dict[str, Any]:
        """The seed's per-service report entry, plus what was measured."""
        return {"valid": self.contract_valid, "version": self.version, "errors": self.errors,
                "warnings": list(self.warnings), "method_validations": dict(self.method_validations),
                "duration_ms": round(self.duration_ms, 3)}


def is_result_like(value: Any) -> bool:
    return all(hasattr(value, attribute) for attribute in ("success", "data", "errors", "error_code"))


def code_text(code: Any) -> str | None:
    return None if code is None else str(getattr(code, "value", code))


class AnyService:
    """Stand-in for a dependency that has neither an implementation nor a contract: accepts any call."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: ContractResult(success=True)


def _data_mapping(call: Call) -> tuple[str | int, Mapping[str, Any]] | None:
    """Where the call's data mapping is: ('data' keyword, or position) and the mapping itself."""
    if isinstance(call.kwargs.get("data"), Mapping):
        return "data", call.kwargs["data"]
    for index, arg in enumerate(call.args):
        if isinstance(arg, Mapping):
            return index, arg
    return next(((k, v) for k, v in call.kwargs.items() if isinstance(v, Mapping)), None)


def _replace(call: Call, where: str | int, value: Any) -> Call:
    if isinstance(where, int):
        args = list(call.args)
        args[where] = value
        return Call(call.method, tuple(args), dict(call.kwargs))
    return Call(call.method, call.args, {**call.kwargs, where: value})


def _type_from_path(path: str) -> type | None:
    module, _, name = path.rpartition(".")
    if not module:
        return {"list": list, "dict": dict, "str": str, "int": int, "bool": bool}.get(name)
    try:
        target: Any = importlib.import_module(module)
    except ImportError:
        # Nested class: import the outer module and walk attributes.
        outer, _, inner = module.rpartition(".")
        try:
            target = getattr(importlib.import_module(outer), inner)
        except (ImportError, AttributeError):
            return None
    found = getattr(target, name, None)
    return found if isinstance(found, type) else None


def data_shape_problem(data: Any, declared: str) -> str | None:
    """Why `data` is not of the declared type text ('pkg.Model', 'Outer[pkg.Item]', 'None'), or None."""
    if not declared:
        return None
    if declared == "None":
        return None if data is None else f"data is {type(data).__name__}, declared None"
    outer_path, _, rest = declared.partition("[")
    outer = _type_from_path(outer_path)
    if outer is None:
        return f"declared output type {outer_path!r} cannot be imported"
    if not isinstance(data, outer):
        return f"data is {type(data).__name__}, declared {declared}"
    inner = _type_from_path(rest[:-1]) if rest else None
    if inner is None or isinstance(data, (str, bytes, Mapping)):
        return None
    wrong = sorted({type(item).__name__ for item in itertools.islice(data, 20) if not isinstance(item, inner)})
    return f"items of data are {wrong}, declared {declared}" if wrong else None


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

    # -- entry point -------------------------------------------------------------------------------------
    def validate(self) -> ContractValidationResult:
        started = time.perf_counter()
        present = self._check_methods()
        self._check_inputs_statically(present)
        if self.exercise:
            instrumented = self.instrumented()
            self.exercise_examples(instrumented, present)
            self._provoke_error_conditions(instrumented, present)
            self._check_dependencies(instrumented is not None)
        for method in self.contract.required_methods:
            self.result.method_validations[method] = not any(f.method == method for f in self.result.failures)
        self.result.dependency_calls = list(self.log.records)
        self.result.duration_ms = (time.perf_counter() - started) * 1000
        return self.result

    def fail(self, kind: str, method: str, message: str) -> None:
        self.result.failures.append(Failure(kind, method, f"{self.contract.service_name}: {message}"))

    def warn(self, message: str) -> None:
        self.result.warnings.append(f"{self.contract.service_name}: {message}")

    # -- static checks -----------------------------------------------------------------------------------
    def _check_methods(self) -> set[str]:
        present: set[str] = set()
        for method in self.contract.required_methods:
            member = getattr(self.implementation, method, None)
            if member is None:
                self.fail("missing_method", method, f"method {method!r} is missing")
                continue
            if not callable(member):
                self.fail("missing_method", method, f"{method!r} is not callable ({type(member).__name__})")
                continue
            present.add(method)
            expected = self.contract.methods.get(method)
            if expected is None:
                continue
            try:
                actual = method_spec(member, method)
            except (TypeError, ValueError) as exc:
                self.fail("signature", method, f"{method}: signature cannot be read ({exc})")
                continue
            errors, warnings = signature_problems(expected, actual)
            for message in errors:
                self.fail("signature", method, message)
            for message in warnings:
                self.warn(message)
        return present

    def _params(self, method: str) -> list[str]:
        try:
            return list(inspect.signature(getattr(self.implementation, method)).parameters)
        except (TypeError, ValueError):
            return []

    def _takes_any_keyword(self, method: str) -> bool:
        try:
            params = inspect.signature(getattr(self.implementation, method)).parameters.values()
        except (TypeError, ValueError):
            return False
        return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)

    def _data_inputs(self, method: str) -> list[str]:
        declared = self.contract.expected_inputs.get(method, [])
        names = list(declared) if not isinstance(declared, str) else [declared]
        params = self._params(method)
        return [n for n in names if n not in params]

    def _check_inputs_statically(self, present: set[str]) -> None:
        for method in present:
            data_inputs = self._data_inputs(method)
            if not data_inputs or self._takes_any_keyword(method):
                continue
            params = self._params(method)
            if "data" not in params and not self.contract.examples.get(method):
                self.fail("inputs", method, f"{method}: declared inputs {data_inputs} are neither parameters "
                          f"(has {params}) nor keys of a data mapping")

    # -- exercising --------------------------------------------------------------------------------------
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

    @contextlib.contextmanager
    def _guarded(self) -> Iterator[None]:
        with self.isolation():
            yield

    def _run(self, target: Any, call: Call) -> tuple[Any, BaseException | None, float, int]:
        with measuring(self.clock) as cost:
            try:
                value = getattr(target, call.method)(*call.args, **dict(call.kwargs))
                error = None
            except Exception as exc:  # noqa: BLE001 - an escaping exception is what we report
                value, error = None, exc
        return value, error, cost.ms, cost.queries

    def exercise_examples(self, instrumented: Any, present: set[str]) -> None:
        target = instrumented if instrumented is not None else self.implementation
        for method in self.contract.required_methods:
            if method not in present:
                continue
            source = self.contract.examples.get(method)
            if source is None:
                self.warn(f"{method}: not exercised (no example call in the contract)")
                continue
            with self._guarded():
                try:
                    call = resolve_call(source)
                except Exception as exc:  # noqa: BLE001
                    self.fail("outputs", method, f"{method}: example could not be built: {type(exc).__name__}: {exc}")
                    continue
                value, error, ms, queries = self._run(target, call)
            run = OperationRun(method, False, ms, queries)
            self.result.operations[method] = run
            if error is not None:
                run.detail = f"raised {type(error).__name__}: {error}"
                self.fail("outputs", method, f"{method}: exception escaped: {type(error).__name__}: {error}")
                continue
            self._check_output(method, call, value, run)
            self._check_budget(method, run)

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
        data_inputs = self._data_inputs(method)
        if not value.success:
            run.detail = f"refused: {code_text(value.error_code)} {value.errors}"
            kind = "inputs" if data_inputs else "outputs"
            self.fail(kind, method, f"{method}: the example call was refused ({code_text(value.error_code)}: "
                      f"{value.errors}); declared inputs {self.contract.expected_inputs.get(method)}")
            return
        run.success = True
        if data_inputs and not self._takes_any_keyword(method):
            found = _data_mapping(call)
            keys = set(found[1]) if found else set()
            missing = [n for n in data_inputs if n not in keys]
            if missing:
                self.fail("inputs", method, f"{method}: declared inputs {missing} are not parameters and the "
                          f"example's data does not carry them (keys: {sorted(keys)})")
        problem = data_shape_problem(value.data, self.contract.output_types.get(method, ""))
        if problem:
            self.fail("outputs", method, f"{method}: {problem}")

    def _check_budget(self, method: str, run: OperationRun) -> None:
        budget = self.contract.budgets.get(method)
        if budget is None:
            return
        if budget.max_ms is not None and run.ms > budget.max_ms:
            self.fail("budgets", method, f"{method}: took {run.ms:.1f} ms, budget {budget.max_ms} ms")
        if budget.max_queries is not None and run.queries > budget.max_queries:
            self.fail("budgets", method, f"{method}: ran {run.queries} queries, budget {budget.max_queries}")

    # -- error conditions --------------------------------------------------------------------------------
    def _provocation(self, condition: str) -> Call | None:
        source = self.contract.provocations.get(condition)
        if source is not None:
            return resolve_call(source)
        return self._standard_provocation(condition)

    def _standard_provocation(self, condition: str) -> Call | None:
        """Provoke the seed's usual conditions from a method's example: empty data, wrong-typed data, unknown id."""
        words = condition.lower().replace("_", " ")
        spec = self.contract.errors.get(condition)
        candidates = [spec.method] if spec else list(self.contract.examples)
        for method in candidates:
            source = self.contract.examples.get(method)
            if source is None:
                continue
            example = resolve_call(source)
            mapping = _data_mapping(example)
            if "missing" in words and "required" in words and mapping:
                return _replace(example, mapping[0], {})
            if "invalid" in words and "data" in words and mapping:
                return _replace(example, mapping[0], {k: ["not", "valid"] for k in mapping[1]})
            if "invalid" in words and " id" in f" {words}":
                where = self._id_argument(example)
                if where is not None:
                    return _replace(example, where, MISSING_ID)
        return None

    def _id_argument(self, call: Call) -> str | int | None:
        for name in call.kwargs:
            if name == "id" or name.endswith("_id"):
                return name
        params = [p for p in self._params(call.method)]
        for index, _arg in enumerate(call.args):
            if index < len(params) and (params[index] == "id" or params[index].endswith("_id")):
                return index
        return None

    def _provoke_error_conditions(self, instrumented: Any, present: set[str]) -> None:
        target = instrumented if instrumented is not None else self.implementation
        for condition in self.contract.error_conditions:
            spec = self.contract.errors.get(condition)
            expected = spec.code if spec else None
            with self._guarded():
                try:
                    call = self._provocation(condition)
                except Exception as exc:  # noqa: BLE001
                    self.fail("error_conditions", spec.method if spec else "",
                              f"{condition!r}: provocation could not be built: {type(exc).__name__}: {exc}")
                    continue
                if call is None:
                    self.warn(f"error condition {condition!r} not provoked (no provocation, no matching example)")
                    continue
                if call.method not in present:
                    continue  # already a missing_method failure
                value, error, _ms, _queries = self._run(target, call)
            run = ErrorHandlingRun(condition, call.method, False, expected_code=expected)
            self.result.error_handling[condition] = run
            if error is not None:
                run.detail = f"raised {type(error).__name__}: {error}"
                self.fail("error_conditions", call.method,
                          f"{condition!r}: {call.method} let {type(error).__name__} escape: {error}")
            elif not is_result_like(value):
                run.detail = f"returned {type(value).__name__}"
                self.fail("error_conditions", call.method,
                          f"{condition!r}: {call.method} returned {type(value).__name__}, not a result")
            elif value.success:
                run.detail = "answered with success"
                self.fail("error_conditions", call.method, f"{condition!r}: {call.method} answered with success")
            else:
                run.error_code = code_text(value.error_code)
                if expected is not None and run.error_code != expected:
                    run.detail = f"code {run.error_code!r}, declared {expected!r}"
                    self.fail("error_conditions", call.method,
                              f"{condition!r}: {call.method} answered {run.error_code!r}, contract says {expected!r}")
                else:
                    run.handled_gracefully = True

    # -- dependencies ------------------------------------------------------------------------------------
    def _check_dependencies(self, observable: bool) -> None:
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
        if self.result.operations or self.result.error_handling:
            for never in sorted(declared - self.log.callees()):
                self.fail("dependencies", "", f"declared dependency {never} was never called while exercised")
