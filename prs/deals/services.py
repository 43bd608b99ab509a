"""Deals and payments: human ids, no overpayment, segregation of duties, derived payment status."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar, Protocol

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from prs.accounts.models import Role, User
from prs.audit.models import AuditAction
from prs.audit.services import AuditServiceProtocol
from prs.clients.selectors import client_queryset
from prs.common.access import find_for_actor, for_update, forbidden, has_role, stale_version
from prs.common.changes import created, deleted, diff, save_changes, snapshot
from prs.common.human_ids import next_human_id
from prs.common.inputs import Payload
from prs.common.money import CURRENCY_PATTERN, MAX_DEAL_VALUE
from prs.common.results import ErrorCode, ServiceResult, collaborator_failures_as_results, expect_ok
from prs.deals import selectors
from prs.deals.models import (
    VERIFICATION_TRANSITIONS,
    Approval,
    Deal,
    Invoice,
    Payment,
    PaymentDecision,
    PaymentMethod,
    PaymentStatus,
    RejectionReason,
    VerificationStatus,
)
from prs.notifications.models import NotificationType, Priority
from prs.notifications.selectors import org_members
from prs.notifications.services import NotificationServiceProtocol

DEAL_FIELDS = (
    "deal_id", "client", "salesperson", "deal_name", "value", "currency", "deal_date", "due_date",
    "payment_method", "verification_status", "payment_status", "progress", "remarks",
)
PAYMENT_FIELDS = (
    "transaction_id", "deal", "payment_date", "amount", "payment_type", "cheque_number", "status", "remarks",
)
DEAL_WRITER_ROLES = (Role.ORG_ADMIN, Role.SALESPERSON)
DECIDER_ROLES = (Role.ORG_ADMIN, Role.VERIFIER)
HUNDRED = Decimal("100")
PAYMENT_MAX_AGE = timedelta(days=365)


class DealServiceProtocol(Protocol):
    def create(self, actor: User, data: Mapping[str, Any]) -> ServiceResult[Deal]: ...
    def get(self, actor: User, deal_id: object) -> ServiceResult[Deal]: ...
    def update(self, actor: User, deal_id: object, data: Mapping[str, Any]) -> ServiceResult[Deal]: ...
    def delete(self, actor: User, deal_id: object) -> ServiceResult[None]: ...
    def list(self, actor: User, filters: Mapping[str, Any] | None = None) -> ServiceResult[QuerySet[Deal]]: ...
    def verify(self, actor: User, deal_id: object, status: str) -> ServiceResult[Deal]: ...


class CommissionRecalculator(Protocol):
    def recalculate_for_payment(self, payment: Payment) -> ServiceResult[Any]: ...


class PaymentServiceProtocol(Protocol):
    def create(self, actor: User, data: Mapping[str, Any]) -> ServiceResult[Payment]: ...
    def get(self, actor: User, payment_id: object) -> ServiceResult[Payment]: ...
    def list(self, actor: User, filters: Mapping[str, Any] | None = None) -> ServiceResult[QuerySet[Payment]]: ...
    def approve(
        self, actor: User, payment_id: object, verified_amount: object, remarks: str = ""
    ) -> ServiceResult[Payment]: ...
    def reject(self, actor: User, payment_id: object, reason: str, remarks: str = "") -> ServiceResult[Payment]: ...


def refresh_payment_status(deal: Deal) -> None:
    """Derives payment status and progress from the verified amounts of approved payments.

    The caller holds the deal's row lock, in the transaction that changed a payment.
    """
    paid = selectors.approved_amount(deal)
    if paid <= 0:
        status = PaymentStatus.NOT_PAID
    elif paid >= deal.value:
        status = PaymentStatus.FULLY_PAID
    else:
        status = PaymentStatus.PARTIALLY_PAID
    progress = min(HUNDRED, (paid * HUNDRED / deal.value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    if (deal.payment_status, deal.progress) != (status, progress):
        deal.payment_status, deal.progress = status, progress
        deal.save()  # locked and current: every column as it is


def _read_deal_fields(payload: Payload, *, partial: bool, default_currency: str) -> dict[str, Any]:
    readers = {
        "client": lambda: payload.reference("client"),
        "deal_name": lambda: payload.string("deal_name", required=False, max_length=200),
        "value": lambda: payload.decimal("value", min_value=Decimal("0"), min_exclusive=True, max_value=MAX_DEAL_VALUE),
        # given but blank: refused; longer than 3: refused by the currency pattern too (pragma below)
        "currency": lambda: payload.string("currency", required=payload.has("currency"),
                                           max_length=3,  # pragma: no mutate — the pattern allows 3 at most
                                           default=default_currency),
        "deal_date": lambda: payload.date("deal_date"),
        "due_date": lambda: payload.date("due_date"),
        "payment_method": lambda: payload.choice("payment_method", PaymentMethod.values),
        "remarks": lambda: payload.string("remarks", required=False, max_length=5000),
    }
    values = {name: read() for name, read in readers.items() if not partial or payload.has(name)}
    currency = values.get("currency")
    if currency is not None and not re.fullmatch(CURRENCY_PATTERN, currency):
        payload.errors.add("currency", f"Must be an ISO 4217 code of three capital letters (got {currency!r}).")
    return values


@collaborator_failures_as_results
class DealService:
    dependencies: ClassVar[tuple[str, ...]] = ("audit_service", "notification_service")

    def __init__(
        self, *, audit_service: AuditServiceProtocol, notification_service: NotificationServiceProtocol
    ) -> None:
        self.audit_service = audit_service
        self.notification_service = notification_service

    def create(self, actor: User, data: Mapping[str, Any]) -> ServiceResult[Deal]:
        """The actor becomes the deal's salesperson; the org admins are notified."""
        if actor.is_superuser or not has_role(actor, *DEAL_WRITER_ROLES):
            return forbidden(actor, "create", Deal, "Only organization admins and salespeople create deals.")
        organization = actor.organization
        assert organization is not None
        payload = Payload(data)
        # pragma below: None for partial=False reads the same (equivalent)
        values = _read_deal_fields(payload, partial=False,  # pragma: no mutate — see above
                                   default_currency=organization.currency)
        with transaction.atomic():  # the client is read locked: deleting it waits for this deal, then refuses
            client = self._client(actor, payload, values.get("client"), organization.pk)
            self._check_dates(payload, values.get("deal_date"), values.get("due_date"))
            if payload.errors:
                return ServiceResult.fail(ErrorCode.VALIDATION, payload.errors.errors)
            values["client"] = client
            deal_id = next_human_id(Deal, "deal_id", "DLID", organization.pk)
            deal = Deal.objects.create(organization=organization, deal_id=deal_id, salesperson=actor, **values)
            expect_ok(self.audit_service.record(actor, AuditAction.CREATE, deal, created(snapshot(deal, DEAL_FIELDS))))
            expect_ok(
                self.notification_service.notify(
                    org_members(organization.pk, Role.ORG_ADMIN),
                    NotificationType.DEAL_CREATED,
                    f"Deal {deal.deal_id} created",
                    f"{actor.full_name} created deal {deal.deal_id} for {client} worth {deal.value} {deal.currency}.",
                    Priority.MEDIUM,
                    deal,
                )
            )
        return ServiceResult.ok(deal)

    def get(self, actor: User, deal_id: object) -> ServiceResult[Deal]:
        deal, failure = find_for_actor(actor, selectors.deal_queryset(actor), deal_id, label="Deal")
        return failure or ServiceResult.ok(deal)

    def update(self, actor: User, deal_id: object, data: Mapping[str, Any]) -> ServiceResult[Deal]:
        with transaction.atomic():
            deal, failure = self._locked_deal(actor, deal_id)
            if failure:
                return failure
            assert deal is not None
            if not self._may_edit(actor, deal):
                return forbidden(actor, "update", deal, "Only an org admin or the deal's salesperson edits a deal.")
            conflict = stale_version(data, deal)
            if conflict:
                return conflict
            payload = Payload(data)
            # partial: a currency is read only when given, so the default never applies (pragma below)
            values = _read_deal_fields(payload, partial=True,
                                       default_currency=deal.currency)  # pragma: no mutate — see above
            if "client" in values:
                values["client"] = self._client(actor, payload, values["client"], deal.organization_id)
            self._check_dates(payload, values.get("deal_date", deal.deal_date), values.get("due_date", deal.due_date))
            if values.get("value") is not None:
                committed = selectors.committed_amount(deal)
                if values["value"] < committed:
                    payload.errors.add("value", f"Must be at least {committed}, the sum of its non-rejected payments.")
            if payload.errors:
                return ServiceResult.fail(ErrorCode.VALIDATION, payload.errors.errors)
            changes = save_changes(deal, values, DEAL_FIELDS, then=refresh_payment_status)
            expect_ok(self.audit_service.record(actor, AuditAction.UPDATE, deal, changes))
        return ServiceResult.ok(deal)

    def delete(self, actor: User, deal_id: object) -> ServiceResult[None]:
        with transaction.atomic():
            deal, failure = self._locked_deal(actor, deal_id)
            if failure:
                return failure
            assert deal is not None
            if not self._may_edit(actor, deal):
                return forbidden(actor, "delete", deal, "Only an org admin or the deal's salesperson deletes a deal.")
            if deal.payments.exists():
                message = f"Deal {deal.deal_id} has payments and cannot be deleted."
                return ServiceResult.fail(ErrorCode.CONFLICT, {"non_field_errors": [message]})
            expect_ok(self.audit_service.record(actor, AuditAction.DELETE, deal, deleted(snapshot(deal, DEAL_FIELDS))))
            deal.delete()
        return ServiceResult.ok(None)

    def list(self, actor: User, filters: Mapping[str, Any] | None = None) -> ServiceResult[QuerySet[Deal]]:
        return ServiceResult.ok(selectors.deal_list(actor, filters))

    def verify(self, actor: User, deal_id: object, status: str) -> ServiceResult[Deal]:
        """pending → verified | rejected; verified → rejected; rejected is final. Not by its own salesperson."""
        with transaction.atomic():
            deal, failure = self._locked_deal(actor, deal_id)
            if failure:
                return failure
            assert deal is not None
            if not has_role(actor, *DECIDER_ROLES):
                return forbidden(actor, "verify", deal, "Only verifiers and organization admins verify deals.")
            if deal.salesperson_id == actor.pk:
                return forbidden(actor, "verify", deal, "Nobody verifies a deal they sell.")
            payload = Payload({"status": status})
            new_status = payload.choice("status", VerificationStatus.values)
            if payload.errors:
                return ServiceResult.fail(ErrorCode.VALIDATION, payload.errors.errors)
            if new_status not in VERIFICATION_TRANSITIONS[deal.verification_status]:
                return ServiceResult.fail(
                    ErrorCode.CONFLICT,
                    {"status": [f"A {deal.verification_status} deal cannot become {new_status}."]},
                )
            before = snapshot(deal, ("verification_status",))
            deal.verification_status = new_status
            deal.save()  # locked and current: every column as it is
            expect_ok(self.audit_service.record(
                actor, AuditAction.VERIFY, deal, diff(before, snapshot(deal, ("verification_status",)))
            ))
        return ServiceResult.ok(deal)

    @staticmethod
    def _locked_deal(actor: User, deal_id: object) -> tuple[Deal | None, ServiceResult[Any] | None]:
        return find_for_actor(actor, for_update(selectors.deal_queryset(actor)), deal_id, label="Deal")

    @staticmethod
    def _may_edit(actor: User, deal: Deal) -> bool:
        return has_role(actor, Role.ORG_ADMIN) or (actor.role == Role.SALESPERSON and deal.salesperson_id == actor.pk)

    @staticmethod
    def _client(actor: User, payload: Payload, client_id: int | None, organization_id: int) -> Any:
        """The client, locked until the deal is written (a client with deals is not deleted), which must belong to
        the deal's organization; else a field error on "client"."""
        if client_id is None:
            return None
        client, failure = find_for_actor(actor, for_update(client_queryset(actor)), client_id, label="Client",
                                         field="client")
        if failure:
            payload.errors.add("client", failure.errors["client"][0])
            return None
        assert client is not None
        if client.organization_id != organization_id:  # a superuser's deal, with another organization's client
            payload.errors.add("client", f"Client {client_id} not found in the deal's organization.")
            return None
        return client

    @staticmethod
    def _check_dates(payload: Payload, deal_date: Any, due_date: Any) -> None:
        if deal_date is not None and due_date is not None and due_date < deal_date:
            payload.errors.add("due_date", f"Must be on or after the deal date {deal_date.isoformat()}.")


@collaborator_failures_as_results
class PaymentService:
    dependencies: ClassVar[tuple[str, ...]] = ("audit_service", "notification_service", "commission_service")

    def __init__(
        self,
        *,
        audit_service: AuditServiceProtocol,
        notification_service: NotificationServiceProtocol,
        commission_service: CommissionRecalculator,
    ) -> None:
        self.audit_service = audit_service
        self.notification_service = notification_service
        self.commission_service = commission_service

    def create(self, actor: User, data: Mapping[str, Any]) -> ServiceResult[Payment]:
        """Records a payment and its invoice. The deal row stays locked until commit: no overpayment."""
        payload = Payload(data)
        deal_ref = payload.reference("deal")
        payment_date = payload.date("payment_date")
        # No upper limit of its own: what remains of the deal's value is the limit (overpayment, below).
        amount = payload.decimal("amount", min_value=Decimal("0"), min_exclusive=True)
        payment_type = payload.choice("payment_type", PaymentMethod.values)
        cheque_number = payload.string("cheque_number", required=payment_type == PaymentMethod.CHEQUE, max_length=50)
        remarks = payload.string("remarks", required=False, max_length=5000)
        today = timezone.localdate()
        if payment_date is not None and payment_date > today:
            payload.errors.add("payment_date", f"Must not be in the future (today is {today.isoformat()}).")
        if payment_date is not None and payment_date < today - PAYMENT_MAX_AGE:
            payload.errors.add("payment_date", "Must not be more than a year in the past.")
        if deal_ref is None:
            return ServiceResult.fail(ErrorCode.VALIDATION, payload.errors.errors)
        deal: Deal | None = None  # pragma: no mutate — only the except below reads it, after the lookup set it
        try:
            with transaction.atomic():
                deal, failure = find_for_actor(
                    actor, for_update(selectors.deal_queryset(actor)), deal_ref,
                    label="Deal", field="deal",
                )
                if failure:  # a payment's deal is one of its fields: invalid input, whatever the lookup says
                    return ServiceResult.fail(ErrorCode.VALIDATION, {**payload.errors.errors, **failure.errors})
                assert deal is not None
                may_record = has_role(actor, Role.ORG_ADMIN) or (
                    actor.role == Role.SALESPERSON and deal.salesperson_id == actor.pk
                )
                if actor.is_superuser or not may_record:
                    return forbidden(actor, "create", Payment,
                                     "Only an org admin or the deal's salesperson records payments on a deal.")
                if deal.verification_status == VerificationStatus.REJECTED:
                    return ServiceResult.fail(
                        ErrorCode.CONFLICT, {"deal": [f"Deal {deal.deal_id} is rejected and takes no payments."]}
                    )
                if amount is not None:
                    committed = selectors.committed_amount(deal)
                    if committed + amount > deal.value:
                        payload.errors.add(
                            "amount",
                            f"Would overpay deal {deal.deal_id}: {deal.value - committed} of {deal.value} remains.",
                        )
                if payload.errors:
                    return ServiceResult.fail(ErrorCode.VALIDATION, payload.errors.errors)
                payment = Payment.objects.create(
                    organization_id=deal.organization_id,
                    transaction_id=next_human_id(Payment, "transaction_id", "TXN-", deal.organization_id),
                    deal=deal,
                    payment_date=payment_date,
                    amount=amount,
                    payment_type=payment_type,
                    cheque_number=cheque_number or None,
                    recorded_by=actor,
                    remarks=remarks or "",
                )
                invoice = Invoice.objects.create(
                    organization_id=deal.organization_id,
                    invoice_id=next_human_id(Invoice, "invoice_id", "INV-", deal.organization_id),
                    payment=payment,
                    amount=payment.amount,
                )
                expect_ok(self.audit_service.record(
                    actor, AuditAction.CREATE, payment, created(snapshot(payment, PAYMENT_FIELDS))
                ))
                expect_ok(self.audit_service.record(
                    actor, AuditAction.CREATE, invoice, created(snapshot(invoice, ("invoice_id", "payment", "amount")))
                ))
                verifiers = org_members(deal.organization_id, Role.VERIFIER)  # verifiers never record (PAY-01)
                expect_ok(self.notification_service.notify(
                    verifiers,
                    NotificationType.PAYMENT_RECORDED,
                    f"Payment {payment.transaction_id} to verify",
                    f"{payment.amount} {deal.currency} recorded on deal {deal.deal_id} by {actor.full_name}.",
                    Priority.HIGH,
                    payment,
                ))
        except IntegrityError:  # the cheque number's unique constraint is the one check, race-free
            # Any other integrity error is a bug no input can cause (ids are numbered under the organization's
            # lock), so this condition's operator mutants cannot be told apart from it (pragma).
            if not (cheque_number and deal and selectors.cheque_number_taken(deal.organization_id, cheque_number)):  # pragma: no mutate — see above  # noqa: E501
                raise  # another integrity error: a bug, not a duplicate cheque
            return ServiceResult.fail(ErrorCode.VALIDATION, {"cheque_number": [
                f"Cheque {cheque_number} is already recorded."]})
        return self.get(actor, payment.pk)

    def get(self, actor: User, payment_id: object) -> ServiceResult[Payment]:
        payment, failure = find_for_actor(actor, selectors.payment_queryset(actor), payment_id, label="Payment")
        return failure or ServiceResult.ok(payment)

    def list(self, actor: User, filters: Mapping[str, Any] | None = None) -> ServiceResult[QuerySet[Payment]]:
        return ServiceResult.ok(selectors.payment_list(actor, filters))

    def approve(
        self, actor: User, payment_id: object, verified_amount: object, remarks: str = ""
    ) -> ServiceResult[Payment]:
        def read(payload: Payload, payment: Payment) -> dict[str, Any]:
            amount = payload.decimal("verified_amount", min_value=Decimal("0"), min_exclusive=True,
                                     max_value=payment.amount)
            return {"verified_amount": amount}

        return self._decide(actor, payment_id, PaymentDecision.APPROVED,
                            {"verified_amount": verified_amount, "remarks": remarks}, read)

    def reject(self, actor: User, payment_id: object, reason: str, remarks: str = "") -> ServiceResult[Payment]:
        def read(payload: Payload, payment: Payment) -> dict[str, Any]:
            return {"failure_reason": payload.choice("reason", RejectionReason.values)}

        return self._decide(actor, payment_id, PaymentDecision.REJECTED, {"reason": reason, "remarks": remarks}, read)

    def _decide(
        self,
        actor: User,
        payment_id: object,
        decision: PaymentDecision,
        data: Mapping[str, Any],
        read: Any,
    ) -> ServiceResult[Payment]:
        """One decision per payment, by a verifier or org admin who did not record it."""
        with transaction.atomic():
            payment, failure = find_for_actor(
                actor, for_update(selectors.payment_queryset(actor)), payment_id, label="Payment"
            )
            if failure:
                return failure
            assert payment is not None
            action = "approve" if decision == PaymentDecision.APPROVED else "reject"
            if not has_role(actor, *DECIDER_ROLES):
                return forbidden(actor, action, payment, f"Only verifiers and organization admins {action} payments.")
            if payment.recorded_by_id == actor.pk:
                return forbidden(actor, action, payment, f"Segregation of duties: you recorded this payment, so "
                                 f"someone else must {action} it.")
            if payment.status != PaymentDecision.PENDING:
                return ServiceResult.fail(
                    ErrorCode.CONFLICT, {"status": [f"Payment {payment.transaction_id} is already {payment.status}."]}
                )
            payload = Payload(data)
            values = read(payload, payment)
            remarks = payload.string("remarks", required=False, max_length=5000)
            if payload.errors:
                return ServiceResult.fail(ErrorCode.VALIDATION, payload.errors.errors)
            deal = Deal.objects.select_for_update().get(pk=payment.deal_id)  # lock order: payment, deal
            before = snapshot(payment, ("status",))
            Approval.objects.create(payment=payment, verifier=actor, decision=decision, remarks=remarks or "", **values)
            payment.status = decision
            payment.save()  # locked and current: every column as it is
            refresh_payment_status(deal)
            recalculated = self.commission_service.recalculate_for_payment(payment)
            if not recalculated.success:  # e.g. a commission that would no longer fit its columns
                transaction.set_rollback(True)
                return ServiceResult.fail(recalculated.error_code, recalculated.errors)  # type: ignore[arg-type]
            after = snapshot(payment, ("status",)) | {name: str(value) for name, value in values.items()}
            expect_ok(self.audit_service.record(actor, AuditAction(action), payment, diff(before, after)))
            verdict = f"approved ({values['verified_amount']} verified)" if action == "approve" else (
                f"rejected: {values['failure_reason']}")
            expect_ok(self.notification_service.notify(
                [deal.salesperson],
                NotificationType.PAYMENT_APPROVED if action == "approve" else NotificationType.PAYMENT_REJECTED,
                f"Payment {payment.transaction_id} {'approved' if action == 'approve' else 'rejected'}",
                f"Payment {payment.transaction_id} on deal {deal.deal_id} was {verdict}.",
                Priority.MEDIUM if action == "approve" else Priority.HIGH,
                payment,
            ))
        return self.get(actor, payment.pk)
