"""`PRSIntegrationFramework`: the engine plus PRS test data and PRS assertions.

Per scenario attempt (reset in `begin_scenario`/`end_scenario`, so every attempt starts clean) the
framework offers a `test_organization` and `test_users['salesperson' | 'verifier' | 'admin']`, created on
first use (committed, and removed with the rest of the attempt's data by the engine's database reset).
`create_test_client/deal/payment` go through the factories, hence through PRS's services: human ids,
invoices, audit entries and notifications are PRS's own work.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from prs.accounts.models import Organization, Role, User
from prs.clients.models import Client
from prs.deals.models import Deal, Payment
from prs.services import build_services
from support.engine.framework import IntegrationFramework
from support.engine.scenario import TestScenario
from support.engine.writes import ALL_WRITES, Writes
from support.prs import consistency, isolation
from support.prs.factories import ClientFactory, DealFactory, OrganizationFactory, PaymentFactory, UserFactory

ROLES: dict[str, Role] = {"salesperson": Role.SALESPERSON, "verifier": Role.VERIFIER, "admin": Role.ORG_ADMIN}

# What callers may pass in `data`, per object (the seed's `client_name` is PRS's `name`).
CLIENT_FIELDS = frozenset({"name", "email", "phone", "nationality", "status", "created_by"})
CLIENT_ALIASES = {"client_name": "name"}
DEAL_FIELDS = frozenset({"deal_name", "value", "currency", "deal_date", "due_date", "payment_method", "remarks",
                         "salesperson"})
PAYMENT_FIELDS = frozenset({"payment_date", "amount", "payment_type", "cheque_number", "remarks", "recorded_by",
                            "approved", "rejected"})


def checked_data(kind: str, data: Mapping[str, Any] | None, allowed: frozenset[str],
                 aliases: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The caller's data with aliases resolved; unknown keys are an error naming them and the allowed ones."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise TypeError(f"create_test_{kind}: data must be a dict, got {type(data).__name__}: {data!r}")
    aliases = aliases or {}
    resolved = {aliases.get(key, key): value for key, value in data.items()}
    unknown = sorted(set(resolved) - allowed)
    if unknown:
        names = sorted(allowed | set(aliases))
        raise ValueError(f"create_test_{kind}: unknown field(s) {unknown}; allowed: {names}")
    return resolved


class TestUsers(Mapping[str, User]):
    """`test_users['salesperson' | 'verifier' | 'admin']`: one user per role, made on first use."""

    __test__ = False

    def __init__(self, framework: PRSIntegrationFramework) -> None:
        self._framework = framework
        self._users: dict[str, User] = {}

    def __getitem__(self, role: str) -> User:
        if role not in ROLES:
            raise KeyError(f"test_users has no role {role!r}; roles: {sorted(ROLES)}")
        if role not in self._users:
            organization = self._framework.test_organization
            self._users[role] = UserFactory(
                organization=organization, role=ROLES[role],
                email=f"{role}.{organization.pk}.{uuid.uuid4().hex[:8]}@integration.test",
            )
        return self._users[role]

    def __iter__(self) -> Iterator[str]:
        return iter(ROLES)

    def __len__(self) -> int:
        return len(ROLES)


class PRSIntegrationFramework(IntegrationFramework):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._reset()

    def _reset(self) -> None:
        self._organization: Organization | None = None
        self._users = TestUsers(self)

    # --- engine extension points (worker side) ------------------------------------------------
    def begin_scenario(self, scenario: TestScenario) -> None:
        self._reset()

    def end_scenario(self, scenario: TestScenario) -> None:
        self._reset()

    # --- test data ----------------------------------------------------------------------------
    @property
    def test_organization(self) -> Organization:
        if self._organization is None:
            label = self.current_scenario.name if self.current_scenario else "standalone"
            self._organization = OrganizationFactory(name=f"Integration test ({label}) {uuid.uuid4().hex[:8]}")
        return self._organization

    @property
    def test_users(self) -> TestUsers:
        return self._users

    @property
    def services(self) -> dict[str, Any]:
        """PRS's services from its composition root."""
        return build_services()

    def create_test_client(self, data: Mapping[str, Any] | None = None) -> Client:
        """A client of the test organization, created through ClientService by the test salesperson."""
        values = checked_data("client", data, CLIENT_FIELDS, CLIENT_ALIASES)
        values.setdefault("created_by", self.test_users["salesperson"])
        return ClientFactory(organization=self.test_organization, **values)

    def create_test_deal(self, client: Client, data: Mapping[str, Any] | None = None) -> Deal:
        """A deal on `client`, created through DealService by the test salesperson (or `data['salesperson']`)."""
        if not isinstance(client, Client):
            raise TypeError(f"create_test_deal: client must be a Client, got {type(client).__name__}: {client!r}")
        values = checked_data("deal", data, DEAL_FIELDS)
        if client.organization_id == self.test_organization.pk:
            values.setdefault("salesperson", self.test_users["salesperson"])
        return DealFactory(client=client, **values)

    def create_test_payment(self, deal: Deal, data: Mapping[str, Any] | None = None) -> Payment:
        """A payment on `deal`, recorded through PaymentService by its salesperson; `approved`/`rejected`
        (True) then have a verifier decide it, also through PaymentService."""
        if not isinstance(deal, Deal):
            raise TypeError(f"create_test_payment: deal must be a Deal, got {type(deal).__name__}: {deal!r}")
        values = checked_data("payment", data, PAYMENT_FIELDS)
        deciding = values.get("approved") or values.get("rejected")
        if deciding and deal.organization_id == self.test_organization.pk:
            self.test_users["verifier"]  # noqa: B018 - makes sure the test verifier is the one who decides
        for trait in ("approved", "rejected"):
            if not values.get(trait, True):
                values.pop(trait)
        values.setdefault("recorded_by", deal.salesperson)
        return PaymentFactory(deal=deal, **values)

    # --- PRS assertions -----------------------------------------------------------------------
    def assert_database_consistency(self) -> None:
        """Raises `ConsistencyError` (an AssertionError) listing every broken invariant of PRS's data."""
        consistency.assert_database_consistency()

    def assert_organization_data_isolation(
        self, max_detail_probes: int | None = isolation.DEFAULT_DETAIL_PROBES
    ) -> None:
        """Raises `IsolationError` (an AssertionError) naming endpoint, user and leaking ids."""
        isolation.assert_organization_data_isolation(max_detail_probes)

    # --- after every scenario -----------------------------------------------------------------
    def check_invariants(self, scenario: TestScenario, writes: Writes = ALL_WRITES) -> None:
        """Every scenario, Gherkin or Python, must leave PRS's data consistent: whatever a scenario set out
        to show, a broken invariant elsewhere (an invoice missing, a deal's status out of step) fails it.
        Only the rules over the tables the scenario wrote run (every scenario starts from the same checked
        clean data). A scenario that corrupts data on purpose (to show PRS detects it) says so with the tag
        `tampers`."""
        if "tampers" in scenario.tags:
            return
        changed = None if writes.everything else writes.tables.get("default", frozenset())
        consistency.assert_database_consistency(changed_tables=changed, empty_tables=writes.empty.get("default", ()))
