"""Demo data: organizations with users of every role, clients, deals and payments, made with the factories
(so through PRS's services). Idempotent: ``seed()`` tops each organization up to the requested counts and
never duplicates; running it twice leaves the same data. Every user's password is "password".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from prs.accounts.models import Role, User
from prs.clients.models import Client
from prs.deals.models import Deal, Payment
from support.prs.factories import (
    DEFAULT_PASSWORD,
    ClientFactory,
    DealFactory,
    OrganizationFactory,
    PaymentFactory,
    UserFactory,
)


@dataclass(frozen=True)
class SeedSize:
    """How many organizations, and per organization how many clients, deals and payments."""

    organizations: int = 2
    clients: int = 10
    deals: int = 10
    payments: int = 10

    def __post_init__(self) -> None:
        for name in ("organizations", "clients", "deals", "payments"):
            if getattr(self, name) < 0:
                raise ValueError(f"seed size: {name} must be 0 or more (got {getattr(self, name)})")
        if self.deals and not self.clients:
            raise ValueError("seed size: deals need at least one client")
        if self.payments and not self.deals:
            raise ValueError("seed size: payments need at least one deal")
        if self.deals and self.payments > self.deals * PAYMENTS_PER_DEAL:
            raise ValueError(f"seed size: at most {PAYMENTS_PER_DEAL} payments per deal "
                             f"({self.deals} deals take at most {self.deals * PAYMENTS_PER_DEAL} payments)")


# Deals are worth 10,000 and payments 1,000: ten payments fill a deal without overpaying it.
PAYMENTS_PER_DEAL = 10
SIZES: dict[str, SeedSize] = {
    "small": SeedSize(organizations=1, clients=3, deals=3, payments=3),
    "demo": SeedSize(),
    "large": SeedSize(organizations=3, clients=100, deals=200, payments=300),
}

# Users of each organization, by email local part.
DEMO_USERS: tuple[tuple[str, Role], ...] = (
    ("admin", Role.ORG_ADMIN),
    ("sales", Role.SALESPERSON),
    ("sales2", Role.SALESPERSON),
    ("verifier", Role.VERIFIER),
)


@dataclass
class SeedReport:
    organizations: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=lambda: {"users": 0, "clients": 0, "deals": 0, "payments": 0})
    logins: list[str] = field(default_factory=list)

    def summary(self) -> str:
        counts = ", ".join(f"{count} {name}" for name, count in self.created.items())
        return (
            f"Seeded {len(self.organizations)} organizations (created {counts}).\n"
            f"Log in with any of these (password {DEFAULT_PASSWORD!r}): {', '.join(self.logins)}"
        )


def organization_name(number: int) -> str:
    return f"Demo Org {number}"


def user_email(local: str, number: int) -> str:
    return f"{local}@org{number}.demo"


def seed(size: SeedSize | str = "demo") -> SeedReport:
    """Tops the demo organizations up to ``size`` (a SeedSize or one of SIZES' names)."""
    if isinstance(size, str):
        if size not in SIZES:
            raise ValueError(f"unknown seed size {size!r}: choose one of {', '.join(SIZES)} or pass a SeedSize")
        size = SIZES[size]
    report = SeedReport()
    for number in range(1, size.organizations + 1):
        with transaction.atomic():
            _seed_organization(number, size, report)
    return report


def _seed_organization(number: int, size: SeedSize, report: SeedReport) -> None:
    organization = OrganizationFactory(name=organization_name(number))
    report.organizations.append(organization.name)
    users: dict[str, User] = {}
    for local, role in DEMO_USERS:
        email = user_email(local, number)
        user = User.objects.filter(email=email).first()
        if user is None:
            user = UserFactory(email=email, role=role, organization=organization)
            report.created["users"] += 1
        users[local] = user
        report.logins.append(email)

    clients = list(Client.objects.filter(organization=organization).order_by("id"))
    for index in range(len(clients), size.clients):
        clients.append(ClientFactory(
            organization=organization, created_by=users["admin"],
            name=f"Client {index + 1} of {organization.name}", email=f"client{index + 1}@org{number}.demo",
            phone=f"+1555{number:03d}{index + 1:04d}",
        ))
        report.created["clients"] += 1

    sellers = [users["sales"], users["sales2"]]
    deals = list(Deal.objects.filter(organization=organization).order_by("id"))
    for index in range(len(deals), size.deals):
        deals.append(DealFactory(
            client=clients[index % len(clients)], salesperson=sellers[index % len(sellers)],
            deal_name=f"Deal {index + 1}", payment_method=["bank", "wallet", "cheque", "cash"][index % 4],
        ))
        report.created["deals"] += 1

    existing = Payment.objects.filter(organization=organization).count()
    for index in range(existing, size.payments):
        deal = deals[index % len(deals)]
        decision = {0: "approve", 1: "reject"}.get(index % 3)  # a third approved, a third rejected
        PaymentFactory(deal=deal, payment_type=deal.payment_method, decision=decision)
        report.created["payments"] += 1
