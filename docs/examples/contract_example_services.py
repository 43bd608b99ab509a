"""In-memory services the seed's service-contract examples use (`MyClientService`, a deal service),
and the example calls that let the framework exercise them. Shared by the contract_*.py example scripts."""
from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from anywhere: the repo root is importable

from support.contracts import Call, ServiceContract  # noqa: E402


@dataclass(frozen=True)
class ServiceResult:
    success: bool
    data: Any = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    error_code: str | None = None


class MyClientService:
    dependencies: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        self.clients: dict[int, dict[str, Any]] = {}
        self.ids = itertools.count(1)

    def create(self, data: dict[str, Any]) -> ServiceResult:
        invalid = [name for name in ("client_name", "email") if not isinstance(data.get(name), str) or not data[name]]
        if invalid:
            return ServiceResult(False, errors={name: ["a non-empty text is required"] for name in invalid},
                                 error_code="validation")
        client = {"id": next(self.ids), **data}
        self.clients[client["id"]] = client
        return ServiceResult(True, client)

    def get(self, client_id: int) -> ServiceResult:
        if client_id not in self.clients:
            return ServiceResult(False, errors={"client_id": [f"no client {client_id}"]}, error_code="not_found")
        return ServiceResult(True, self.clients[client_id])

    def update(self, client_id: int, data: dict[str, Any]) -> ServiceResult:
        found = self.get(client_id)
        if found.success:
            found.data.update(data)
        return found

    def delete(self, client_id: int) -> ServiceResult:
        return ServiceResult(True, self.clients.pop(client_id)) if client_id in self.clients else self.get(client_id)

    def list(self) -> ServiceResult:
        return ServiceResult(True, list(self.clients.values()))


class MyDealService:
    """Deals belong to a client, checked through client_service."""

    dependencies: ClassVar[tuple[str, ...]] = ("client_service",)

    def __init__(self, client_service: Any) -> None:
        self.client_service = client_service
        self.deals: list[dict[str, Any]] = []

    def create(self, data: dict[str, Any]) -> ServiceResult:
        value = data.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            return ServiceResult(False, errors={"value": ["a positive number is required"]}, error_code="validation")
        client = self.client_service.get(data.get("client_id"))
        if not client.success:
            return ServiceResult(False, errors={"client_id": ["unknown client"]}, error_code="validation")
        deal = {"id": len(self.deals) + 1, **data}
        self.deals.append(deal)
        return ServiceResult(True, deal)


def add_examples(client_contract: ServiceContract, client_service: MyClientService) -> None:
    """The calls that let the framework exercise client_service (the seed's contract has none)."""
    def existing() -> int:
        return client_service.create({"client_name": "Existing", "email": "existing@example.com"}).data["id"]

    client_contract.examples.update(
        create=Call("create", ({"client_name": "Test Client", "email": "test@example.com"},)),
        get=lambda: Call("get", (existing(),)),
        update=lambda: Call("update", (existing(), {"email": "new@example.com"})),
        delete=lambda: Call("delete", (existing(),)),
        list=Call("list"),
    )


def deal_contract(client_service: MyClientService) -> ServiceContract:
    return ServiceContract(
        service_name="deal_service",
        required_methods=["create"],
        expected_inputs={"create": ["client_id", "value"]},
        expected_outputs={"create": "ServiceResult with deal data"},
        error_conditions=["Invalid client_id"],
        dependencies=["client_service"],
        examples={"create": lambda: Call("create", ({"client_id": client_service.create(
            {"client_name": "Buyer", "email": "buyer@example.com"}).data["id"], "value": 100},))},
    )
