"""factory_boy factories for PRS data.

Organizations and users are plain rows. Clients, deals and payments are created THROUGH PRS's services
(``_create`` calls ClientService / DealService / PaymentService with an acting user), so human ids,
invoices, notifications and audit entries are PRS's own work, never the test code's. A refusal by the
service raises ``FactoryServiceError`` naming the service, the error code and the field errors.

``build()`` still makes unsaved instances (no service involved) and the ``bulk_*`` helpers make
thousands of rows quickly for performance data — see their docstrings for what they skip.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.db import transaction
from django.utils import timezone

from prs.accounts.models import Organization, Role, User
from prs.clients.models import Client, ClientStatus
from prs.commissions.models import Commission
from prs.common.human_ids import lock_organization, next_human_id
from prs.common.results import ServiceResult
from prs.deals.models import Deal, Payment, PaymentMethod, RejectionReason
from prs.services import build_services

DEFAULT_PASSWORD = "password"


class FactoryServiceError(RuntimeError):
    """A PRS service refused what a factory asked of it."""


def service_data(service_name: str, method: str, result: ServiceResult[Any]) -> Any:
    if not result.success:
        raise FactoryServiceError(
            f"{service_name}.{method} refused the factory's data ({result.error_code}): {result.errors}"
        )
    return result.data


def call_service(service_name: str, method: str, *args: Any) -> Any:
    """Calls one PRS service method; its data, or FactoryServiceError."""
    service = build_services()[service_name]
    return service_data(service_name, method, getattr(service, method)(*args))


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organization {n + 1}")
    currency = "USD"
    default_commission_rate = Decimal("5.00")


class UserFactory(factory.django.DjangoModelFactory):
    """A member of an organization; salesperson unless a trait says otherwise. Password: "password"."""

    class Meta:
        model = User

    class Params:
        org_admin = factory.Trait(role=Role.ORG_ADMIN)
        salesperson = factory.Trait(role=Role.SALESPERSON)
        verifier = factory.Trait(role=Role.VERIFIER)
        superuser = factory.Trait(organization=None, role="", is_superuser=True, is_staff=True)

    email = factory.LazyAttributeSequence(lambda o, n: f"{o.role or 'root'}{n + 1}@prs.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.SALESPERSON
    password = DEFAULT_PASSWORD

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return model_class.objects.create_user(*args, **kwargs)  # hashes the password with set_password


def org_admin_of(organization: Organization) -> User:
    """An org admin of the organization: the first one, or a new one."""
    admin = User.objects.filter(organization=organization, role=Role.ORG_ADMIN, is_active=True).first()
    return admin or UserFactory(org_admin=True, organization=organization)


def verifier_of(organization: Organization, *, not_user: User | None = None) -> User:
    """A verifier of the organization other than not_user: the first one, or a new one."""
    verifiers = User.objects.filter(organization=organization, role=Role.VERIFIER, is_active=True)
    if not_user is not None:
        verifiers = verifiers.exclude(pk=not_user.pk)
    return verifiers.first() or UserFactory(verifier=True, organization=organization)


class ServiceFactory(factory.django.DjangoModelFactory):
    """Creates through ``service_name``'s ``service_method(actor, data)``; ``actor`` is the acting user."""

    service_name = ""
    service_method = "create"

    class Meta:
        abstract = True

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        """An unsaved instance (no service call, no human id): the acting user is not a model field."""
        kwargs.pop("actor", None)
        kwargs.pop("decision", None)
        return model_class(*args, **kwargs)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        actor = kwargs.pop("actor")
        data = {key: (value.pk if hasattr(value, "pk") else value) for key, value in kwargs.items()}
        return call_service(cls.service_name, cls.service_method, actor, data)


class ClientFactory(ServiceFactory):
    """A client, created through ClientService by ``created_by`` (default: an org admin of its organization)."""

    service_name = "client_service"

    class Meta:
        model = Client

    class Params:
        organization = factory.SubFactory(OrganizationFactory)
        created_by = None

    actor = factory.LazyAttribute(lambda o: o.created_by or org_admin_of(o.organization))
    name = factory.Faker("company")
    email = factory.Sequence(lambda n: f"client{n + 1}@example.com")
    phone = factory.Sequence(lambda n: f"+1555{n % 10_000_000:07d}")
    nationality = "US"
    status = ClientStatus.PENDING


class DealFactory(ServiceFactory):
    """A deal, created through DealService by ``salesperson`` (default: a new salesperson of the client's
    organization). Pass ``client``, ``salesperson`` or ``organization``; the others follow."""

    service_name = "deal_service"

    class Meta:
        model = Deal

    class Params:
        organization = None
        salesperson = None

    client = factory.Maybe(
        "organization",
        yes_declaration=factory.SubFactory(ClientFactory, organization=factory.SelfAttribute("..organization")),
        no_declaration=factory.Maybe(
            "salesperson",
            yes_declaration=factory.SubFactory(
                ClientFactory, organization=factory.SelfAttribute("..salesperson.organization")
            ),
            no_declaration=factory.SubFactory(ClientFactory),
        ),
    )
    actor = factory.LazyAttribute(
        lambda o: o.salesperson or UserFactory(salesperson=True, organization=o.client.organization)
    )
    deal_name = factory.Sequence(lambda n: f"Deal {n + 1}")
    value = Decimal("10000.00")
    deal_date = factory.LazyFunction(timezone.localdate)
    due_date = factory.LazyAttribute(lambda o: o.deal_date + dt.timedelta(days=30))
    payment_method = PaymentMethod.BANK


class PaymentFactory(ServiceFactory):
    """A payment, recorded through PaymentService by ``recorded_by`` (default: the deal's salesperson).

    Traits ``approved`` / ``rejected`` then have a verifier of the organization decide it, also through
    PaymentService (``approved`` verifies the full amount).
    """

    service_name = "payment_service"

    class Meta:
        model = Payment

    class Params:
        approved = factory.Trait(decision="approve")
        rejected = factory.Trait(decision="reject")
        recorded_by = None

    decision = None  # popped by _create: "approve" or "reject" after recording
    deal = factory.Maybe(
        "recorded_by",
        yes_declaration=factory.SubFactory(
            DealFactory, organization=factory.SelfAttribute("..recorded_by.organization")
        ),
        no_declaration=factory.SubFactory(DealFactory),
    )
    actor = factory.LazyAttribute(lambda o: o.recorded_by or o.deal.salesperson)
    payment_date = factory.LazyFunction(timezone.localdate)
    amount = Decimal("1000.00")
    payment_type = PaymentMethod.BANK
    cheque_number = factory.Maybe(
        factory.LazyAttribute(lambda o: o.payment_type == PaymentMethod.CHEQUE),
        factory.Sequence(lambda n: f"CHQ{n + 1:06d}"),
        None,
    )

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Payment:
        decision = kwargs.pop("decision", None)
        if kwargs.get("cheque_number") is None:
            kwargs.pop("cheque_number", None)
        payment = super()._create(model_class, *args, **kwargs)
        if decision is not None:
            payment = decide(payment, decision)
        return payment


class CommissionFactory(ServiceFactory):
    """A salesperson's commission for the current month, calculated through CommissionService by ``actor``
    (default: an org admin of the salesperson's organization)."""

    service_name = "commission_service"
    service_method = "calculate"

    class Meta:
        model = Commission

    user = factory.SubFactory(UserFactory, salesperson=True)
    actor = factory.LazyAttribute(lambda o: org_admin_of(o.user.organization))
    period_start = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    period_end = factory.LazyAttribute(
        lambda o: (o.period_start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    )


def decide(payment: Payment, decision: str, *, verifier: User | None = None) -> Payment:
    """Approves (full amount) or rejects (insufficient funds) a payment through PaymentService."""
    verifier = verifier or verifier_of(payment.deal.organization, not_user=payment.recorded_by)
    if decision == "approve":
        return call_service("payment_service", "approve", verifier, payment.pk, payment.amount)
    return call_service("payment_service", "reject", verifier, payment.pk, RejectionReason.INSUFFICIENT_FUNDS)


# --- bulk data for performance runs -------------------------------------------------------------------

def _numbered(prefix: str, first: int, count: int) -> list[str]:
    return [f"{prefix}{number:04d}" for number in range(first, first + count)]


def _first_free_number(model: type, field: str, prefix: str, organization: Organization) -> int:
    """The number PRS would give the next object (call under the organization's row lock)."""
    return int(next_human_id(model, field, prefix, organization.pk)[len(prefix):])


def bulk_clients(organization: Organization, count: int, *, created_by: User | None = None) -> list[Client]:
    """``count`` clients in one INSERT. Valid rows (unique emails and phones), but no audit entries:
    bulk data is for measuring, and skips PRS's side effects by design."""
    created_by = created_by or org_admin_of(organization)
    start = Client.objects.filter(organization=organization).count()
    clients = [
        Client(
            organization=organization,
            name=f"Bulk client {number}",
            email=f"bulk{number}.org{organization.pk}@example.com",
            phone=f"+1666{number % 10_000_000:07d}",
            nationality="US",
            created_by=created_by,
        )
        for number in range(start + 1, start + count + 1)
    ]
    return Client.objects.bulk_create(clients, batch_size=500)


def bulk_deals(
    clients: list[Client], per_client: int = 1, *, salesperson: User | None = None, value: Decimal = Decimal("1000.00")
) -> list[Deal]:
    """``per_client`` deals for each client (all of one organization), in one INSERT, with DLID numbers
    continuing PRS's own sequence (allocated under the same organization row lock PRS takes).

    Skips audit entries and notifications by design: bulk data is for measuring, not for auditing.
    """
    if not clients:
        return []
    organization = clients[0].organization
    if any(client.organization_id != organization.pk for client in clients):
        raise ValueError("bulk_deals: every client must belong to one organization")
    salesperson = salesperson or UserFactory(salesperson=True, organization=organization)
    today = timezone.localdate()
    with transaction.atomic():
        lock_organization(organization.pk)
        first = _first_free_number(Deal, "deal_id", "DLID", organization)
        deal_ids = iter(_numbered("DLID", first, len(clients) * per_client))
        deals = [
            Deal(
                organization=organization,
                deal_id=next(deal_ids),
                client=client,
                salesperson=salesperson,
                deal_name=f"Bulk deal for {client.name}",
                value=value,
                currency=organization.currency,
                deal_date=today,
                due_date=today + dt.timedelta(days=30),
                payment_method=PaymentMethod.BANK,
            )
            for client in clients
            for _ in range(per_client)
        ]
        return Deal.objects.bulk_create(deals, batch_size=500)
