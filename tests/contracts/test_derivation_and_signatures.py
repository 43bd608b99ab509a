"""Contracts read from Protocols, and signature compatibility: every incompatibility named."""
from __future__ import annotations

from typing import Any, Protocol

import pytest

from support.contracts import ErrorSpec, ServiceContract, contract_from_protocol
from support.contracts.signatures import method_spec, read_signature, signature_problems
from tests.contracts.toy_services import NoteServiceProtocol, NoteStore, note_contract


def test_a_contract_derived_from_a_protocol_carries_its_signatures():
    contract = note_contract(NoteStore())
    assert contract.required_methods == ["create", "get", "list"]
    assert contract.expected_inputs["create"] == ["actor", "data", "title", "body"]
    assert contract.expected_inputs["list"] == ["actor", "filters"]
    get = contract.methods["get"]
    assert [(p.name, p.kind, p.required) for p in get.params] == [
        ("actor", "positional_or_keyword", True), ("note_id", "positional_or_keyword", True)]
    assert contract.methods["list"].param("filters").required is False
    assert contract.expected_outputs["get"].endswith("Result[tests.contracts.toy_services.Note]")
    assert contract.output_types == {"create": "tests.contracts.toy_services.Note",
                                     "get": "tests.contracts.toy_services.Note",
                                     "list": "list[tests.contracts.toy_services.Note]"}
    assert contract.errors["invalid_id"] == ErrorSpec("get", "not_found", "no such note")
    assert contract.description == "Notes of a user."


def test_derivation_refuses_what_is_not_a_protocol_and_unknown_methods():
    with pytest.raises(TypeError, match="is not a typing.Protocol"):
        contract_from_protocol(NoteStore, "x")
    with pytest.raises(ValueError, match="data_inputs names 'archive'"):
        contract_from_protocol(NoteServiceProtocol, "x", data_inputs={"archive": ["a"]})


def test_a_contract_with_inconsistent_fields_names_every_problem():
    with pytest.raises(ValueError) as error:
        ServiceContract("svc", ["get"], expected_inputs={"put": []}, error_conditions=["gone"],
                        errors={"lost": ErrorSpec("get", "x")}, dependencies=["svc"], version="1.0")
    message = str(error.value)
    for fragment in ("'1.0' is not semantic", "expected_inputs names methods not in required_methods: ['put']",
                     "errors['lost'] is not one of error_conditions", "svc lists itself"):
        assert fragment in message


class Expected(Protocol):
    def op(self, actor: str, item_id: int, *, note: str = "") -> dict[str, Any]: ...


def _spec(func):
    return method_spec(func, "op")


def _problems(impl):
    expected = method_spec(Expected.op, "op", drop_first=True)
    return signature_problems(expected, _spec(impl))


@pytest.mark.parametrize(("impl", "fragment"), [
    (lambda actor, id, *, note="": {}, "missing parameter 'item_id'"),
    (lambda actor, *, item_id, note="": {}, "'item_id' is keyword_only, contract says positional_or_keyword"),
    (lambda item_id, actor, *, note="": {}, "'item_id' is at position 0, contract says 1"),
    (lambda actor, item_id, *, note: {}, "'note' is required, contract says optional"),
    (lambda actor, item_id, extra, *, note="": {}, "requires parameter 'extra'"),
])
def test_each_signature_incompatibility_is_named(impl, fragment):
    errors, _ = _problems(impl)
    assert any(fragment in e for e in errors), errors


def test_return_type_mismatch_is_an_error_and_extra_optional_parameters_are_fine():
    def wrong(actor: str, item_id: int, *, note: str = "", verbose: bool = False) -> list[str]:
        return []

    def right(actor: str, item_id: int, *, note: str = "", verbose: bool = False) -> dict[str, Any]:
        return {}

    errors, _ = _problems(wrong)
    assert errors == ["op: returns 'list[str]', contract says 'dict[str, typing.Any]'"]
    assert _problems(right) == ([], [])


def test_keyword_absorbed_by_kwargs_is_only_a_warning():
    errors, warnings = _problems(lambda actor, **kwargs: {})
    assert errors == []
    assert any("'item_id' only absorbed by **kwargs" in w for w in warnings)


def test_a_signature_is_read_once_per_function_and_still_read_for_what_cannot_be_cached():
    class Service:
        def get(self, actor: str, item_id: int) -> dict[str, Any]:
            return {}

    class Handler:  # __slots__ without __weakref__: cannot be a weak key, is read every time
        __slots__ = ()

        def __call__(self, actor: str) -> None: ...

    first, second = Service(), Service()
    assert read_signature(first.get) is read_signature(second.get)  # one read for every instance's method
    signature, hints = read_signature(first.get)
    assert list(signature.parameters) == ["actor", "item_id"] and hints["item_id"] is int
    assert list(read_signature(Service.get)[0].parameters) == ["self", "actor", "item_id"]  # not the bound one
    assert list(read_signature(Handler())[0].parameters) == ["actor"]
