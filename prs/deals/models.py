"""Deals, the payments made on them, their invoices, and the verifiers' decisions."""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from prs.common.money import MAX_DEAL_VALUE, MONEY_DIGITS


class PaymentMethod(models.TextChoices):
    WALLET = "wallet", "Wallet"
    BANK = "bank", "Bank transfer"
    CHEQUE = "cheque", "Cheque"
    CASH = "cash", "Cash"


class VerificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


# pending -> verified | rejected; verified -> rejected; rejected is final.
VERIFICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    VerificationStatus.PENDING: frozenset({VerificationStatus.VERIFIED, VerificationStatus.REJECTED}),
    VerificationStatus.VERIFIED: frozenset({VerificationStatus.REJECTED}),
    VerificationStatus.REJECTED: frozenset(),
}


class PaymentStatus(models.TextChoices):
    NOT_PAID = "not_paid", "Not paid"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    FULLY_PAID = "fully_paid", "Fully paid"


class Deal(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="deals")
    deal_id = models.CharField(max_length=20)  # DLID0001, numbered per organization
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="deals")
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deals")
    deal_name = models.CharField(max_length=200, blank=True)
    value = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    deal_date = models.DateField()
    due_date = models.DateField()
    payment_method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    verification_status = models.CharField(
        max_length=10, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    payment_status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.NOT_PAID
    )
    # Percent of the value covered by approved payments, 0.00-100.00.
    progress = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.00"))
    remarks = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "deal_id"], name="deal_id_unique_in_org"),
            models.CheckConstraint(condition=Q(value__gt=0) & Q(value__lte=MAX_DEAL_VALUE), name="deal_value_range"),
            models.CheckConstraint(condition=Q(due_date__gte=F("deal_date")), name="deal_due_after_deal_date"),
            models.CheckConstraint(condition=Q(payment_method__in=PaymentMethod.values), name="deal_method_valid"),
            models.CheckConstraint(
                condition=Q(verification_status__in=VerificationStatus.values), name="deal_verification_valid"
            ),
            models.CheckConstraint(
                condition=Q(payment_status__in=PaymentStatus.values), name="deal_payment_status_valid"
            ),
            models.CheckConstraint(condition=Q(progress__gte=0) & Q(progress__lte=100), name="deal_progress_0_100"),
        ]
        indexes = [
            models.Index(fields=["organization", "payment_status"]),
            models.Index(fields=["organization", "verification_status"]),
            models.Index(fields=["organization", "deal_date"]),
        ]

    def __str__(self) -> str:
        return self.deal_id


class PaymentDecision(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class RejectionReason(models.TextChoices):
    INSUFFICIENT_FUNDS = "insufficient_funds", "Insufficient funds"
    BANK_DECLINE = "bank_decline", "Bank decline"
    TECHNICAL_ERROR = "technical_error", "Technical error"
    CHEQUE_BOUNCE = "cheque_bounce", "Cheque bounce"
    PAYMENT_RECEIVED_NOT_REFLECTED = "payment_received_not_reflected", "Payment received, not reflected"


class Payment(models.Model):
    # Denormalised from the deal so the database itself can enforce per-organization uniqueness.
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="payments")
    transaction_id = models.CharField(max_length=20)  # TXN-0001, numbered per organization
    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="payments")
    payment_date = models.DateField()
    amount = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=2)
    payment_type = models.CharField(max_length=10, choices=PaymentMethod.choices)
    cheque_number = models.CharField(max_length=50, null=True, blank=True)
    status = models.CharField(max_length=10, choices=PaymentDecision.choices, default=PaymentDecision.PENDING)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments_recorded"
    )
    remarks = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "transaction_id"], name="payment_txn_unique_in_org"),
            models.UniqueConstraint(
                fields=["organization", "cheque_number"],
                condition=Q(cheque_number__isnull=False),
                name="payment_cheque_unique_in_org",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(payment_type__in=PaymentMethod.values), name="payment_type_valid"),
            models.CheckConstraint(condition=Q(status__in=PaymentDecision.values), name="payment_status_valid"),
            models.CheckConstraint(
                condition=~Q(payment_type=PaymentMethod.CHEQUE)
                | (Q(cheque_number__isnull=False) & ~Q(cheque_number="")),
                name="payment_cheque_number_for_cheques",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"]), models.Index(fields=["deal", "status"])]

    def __str__(self) -> str:
        return self.transaction_id


class Invoice(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="invoices")
    invoice_id = models.CharField(max_length=20)  # INV-0001, numbered per organization
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="invoice")
    amount = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=2)
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "invoice_id"], name="invoice_id_unique_in_org"),
        ]

    def __str__(self) -> str:
        return self.invoice_id


class Approval(models.Model):
    """A verifier's one decision on a payment (the one-to-one makes a second decision impossible)."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="approval")
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approvals")
    decision = models.CharField(max_length=10, choices=PaymentDecision.choices)
    verified_amount = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=2, null=True, blank=True)
    failure_reason = models.CharField(max_length=40, choices=RejectionReason.choices, null=True, blank=True)
    remarks = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(decision=PaymentDecision.APPROVED)
                    & Q(verified_amount__gt=0)
                    & Q(failure_reason__isnull=True)
                )
                | (Q(decision=PaymentDecision.REJECTED) & Q(failure_reason__in=RejectionReason.values)),
                name="approval_decision_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision} {self.payment_id}"
