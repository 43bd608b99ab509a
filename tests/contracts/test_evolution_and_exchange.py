"""Contract evolution (classification, semver bump), export/load/compare for CI, Markdown docs."""
from __future__ import annotations

import dataclasses
import json
from typing import Any, Protocol

import pytest

from support.contracts import (
    compare_contracts,
    compare_with_file,
    contract_from_protocol,
    export_contract_set,
    load_contract_set,
    write_contract_docs,
)
from tests.contracts.toy_services import NoteStore, Result, audit_contract, note_contract


class V1(Protocol):
    def get(self, actor: str, item_id: int) -> Result[int]: ...
    def drop(self, actor: str, item_id: int) -> Result[None]: ...


class V2Optional(Protocol):
    def get(self, actor: str, item_id: int, fields: list[str] | None = None) -> Result[int]: ...
    def drop(self, actor: str, item_id: int) -> Result[None]: ...
    def count(self, actor: str) -> Result[int]: ...


class V2Breaking(Protocol):
    def get(self, actor: str, item_id: int, tenant: str) -> Result[int]: ...


def _contract(protocol: type, version: str, **extra: Any):
    return contract_from_protocol(protocol, "item_service", version=version, **extra)


def test_new_optional_input_and_new_method_are_info_and_need_a_patch():
    comparison = compare_contracts(_contract(V1, "1.0.0"), _contract(V2Optional, "1.0.1"))
    assert sorted(str(c) for c in comparison.changes) == [
        "info: get: new optional parameter 'fields'", "info: new method 'count'"]
    assert comparison.required_bump == "patch" and comparison.bump_ok


def test_removed_method_and_new_required_input_are_breaking_and_need_a_major():
    comparison = compare_contracts(_contract(V1, "1.0.0"), _contract(V2Breaking, "1.1.0"))
    assert {c.severity for c in comparison.changes} == {"breaking"}
    assert "breaking: method 'drop' removed" in [str(c) for c in comparison.changes]
    assert "breaking: get: new required parameter 'tenant'" in [str(c) for c in comparison.changes]
    assert comparison.required_bump == "major" and not comparison.bump_ok
    assert "is a minor bump, the changes need major" in comparison.problems()[0]
    assert compare_contracts(_contract(V1, "1.0.0"), _contract(V2Breaking, "2.0.0")).bump_ok


def test_new_dependency_or_error_condition_is_a_warning_and_a_changed_code_is_breaking():
    store = NoteStore()
    old = note_contract(store)
    new = dataclasses.replace(old, version="1.1.0", dependencies=["audit_service", "mail_service"],
                              error_conditions=[*old.error_conditions, "locked"])
    comparison = compare_contracts(old, new)
    assert sorted(str(c) for c in comparison.changes) == [
        "warning: new dependency mail_service", "warning: new error condition 'locked' (callers must handle it)"]
    assert comparison.required_bump == "minor" and comparison.bump_ok
    changed_code = dataclasses.replace(old, errors={**old.errors, "invalid_id": dataclasses.replace(
        old.errors["invalid_id"], code="gone")})
    assert [str(c) for c in compare_contracts(old, changed_code).changes] == [
        "breaking: error condition 'invalid_id': code not_found -> gone"]


def test_a_version_going_down_never_satisfies():
    comparison = compare_contracts(_contract(V1, "2.0.0"), _contract(V1, "1.9.9"))
    assert comparison.changes == [] and comparison.actual_bump == "downgrade" and not comparison.bump_ok


def test_export_load_round_trip_and_ci_comparison(tmp_path):
    store = NoteStore()
    contracts = [audit_contract(), note_contract(store)]
    path = export_contract_set(contracts, tmp_path / "contracts.json")
    loaded = load_contract_set(path)
    assert loaded == {c.service_name: c for c in contracts}
    lines: list[str] = []
    assert compare_with_file(contracts, path, out=lines.append) == 0
    assert lines[-1].startswith("contracts: 2 services, 0 changed, 0 problems")

    drifted = [audit_contract(), _renamed_without_bump(note_contract(store))]
    lines.clear()
    assert compare_with_file(drifted, path, out=lines.append) == 1
    assert any("note_service: version 1.0.0 -> 1.0.0 is a none bump, the changes need major" in x for x in lines)
    bumped = [audit_contract(), dataclasses.replace(drifted[1], version="2.0.0")]
    assert compare_with_file(bumped, path, out=lines.append) == 0
    assert compare_with_file([audit_contract()], path, out=lines.append) == 1  # a removed service is breaking


def _renamed_without_bump(contract):
    methods = dict(contract.methods)
    methods["get"] = dataclasses.replace(methods["get"], params=tuple(
        dataclasses.replace(p, name="id") if p.name == "note_id" else p for p in methods["get"].params))
    return dataclasses.replace(contract, methods=methods)


@pytest.mark.parametrize(("content", "fragment"), [
    ("{not json", "not JSON (Expecting property name"),
    ('{"format": "other"}', "not a contract file (format 'other'"),
    ('{"format": "service-contracts/1", "contracts": {"x": {"version": "1.0.0"}}}',
     "contracts.x: malformed contract (KeyError: 'service_name')"),
])
def test_a_bad_contract_file_is_named_with_the_problem(tmp_path, content, fragment):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ValueError, match="bad.json") as error:
        load_contract_set(path)
    assert fragment in str(error.value)
    lines: list[str] = []
    assert compare_with_file([], path, out=lines.append) == 2
    assert compare_with_file([], tmp_path / "missing.json", out=lines.append) == 2
    assert "contract file not found" in lines[-1]


def test_markdown_docs_per_service(tmp_path):
    written = write_contract_docs([audit_contract(), note_contract(NoteStore())], tmp_path)
    assert sorted(p.name for p in written) == ["README.md", "audit_service.md", "note_service.md"]
    page = (tmp_path / "note_service.md").read_text()
    for fragment in ("# note_service — contract 1.0.0", "**Dependencies:** [audit_service](audit_service.md)",
                     "### `get(actor: tests.contracts.toy_services.User, note_id: int)`",
                     "| invalid_id | get | not_found | no such note |",
                     "| budget | 5.0 ms, 0 queries |", "`list[tests.contracts.toy_services.Note]`",
                     "| inputs | actor, data, title, body (optional) |"):
        assert fragment in page, fragment
    assert "| [note_service](note_service.md) | 1.0.0 | 3 | audit_service |" in (tmp_path / "README.md").read_text()
    assert json.loads(json.dumps(note_contract(NoteStore()).to_dict()))["service_name"] == "note_service"
