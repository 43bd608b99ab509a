"""Deal and payment payloads in and out. Input serializers check shapes and types (money as a decimal
written as a string, at most two places); DealService and PaymentService own the rules.
Money always goes out as a string.
"""
from typing import Any

from rest_framework import serializers

from prs.common.api import PlainDecimalField, PlainIntegerField, ServiceOwnsTheRules, object_id_field
from prs.common.money import CENT, CURRENCY_PATTERN, MAX_DEAL_VALUE
from prs.deals.models import (
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


# The serializers call it at import, before any mutant can be active: its mutants could never run.
def money_field(**kwargs: Any) -> PlainDecimalField:  # pragma: no mutate block — see above
    """An amount of a deal or payment: more than 0, at most MAX_DEAL_VALUE (which sets its digits), as the
    schema says; the services enforce it."""
    digits = len(str(int(MAX_DEAL_VALUE))) + 2
    return PlainDecimalField(max_digits=digits, decimal_places=2, min_value=CENT, max_value=MAX_DEAL_VALUE, **kwargs)


# --- deals --------------------------------------------------------------------------------------------

class DealCreateInputSerializer(ServiceOwnsTheRules, serializers.Serializer):
    client = object_id_field()
    deal_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    value = money_field(help_text="More than 0, at most 999,999,999.99.")
    currency = serializers.RegexField(CURRENCY_PATTERN, max_length=3, required=False,
                                      help_text="ISO 4217; the organization's by default.")
    deal_date = serializers.DateField()
    due_date = serializers.DateField(help_text="On or after deal_date.")
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)
    remarks = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class DealUpdateInputSerializer(DealCreateInputSerializer):
    version = PlainIntegerField(
        required=False, min_value=1, help_text="The version you read; a stale one answers 409."
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        # The views pass keywords only (data=…), and None reads as False: these lines' mutants are equivalent.
        super().__init__(*args, **kwargs)  # pragma: no mutate — see above
        for field in self.fields.values():
            field.required = False  # pragma: no mutate — see above


class DealVerifyInputSerializer(ServiceOwnsTheRules, serializers.Serializer):
    status = serializers.ChoiceField(
        choices=VerificationStatus.choices, help_text="pending → verified | rejected; verified → rejected."
    )


class DealFilterSerializer(serializers.Serializer):
    payment_status = serializers.ChoiceField(choices=PaymentStatus.choices, required=False)
    verification_status = serializers.ChoiceField(choices=VerificationStatus.choices, required=False)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False)
    client = object_id_field(required=False)
    salesperson = object_id_field(required=False)
    currency = serializers.CharField(required=False, max_length=3)
    deal_id = serializers.CharField(required=False, max_length=20, help_text="e.g. DLID0001")
    deal_date_from = serializers.DateField(required=False)
    deal_date_to = serializers.DateField(required=False)


class PersonOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class DealClientOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DealOutputSerializer(serializers.ModelSerializer):
    client = DealClientOutputSerializer()
    salesperson = PersonOutputSerializer()

    class Meta:
        model = Deal
        fields = (
            "id", "deal_id", "organization", "client", "salesperson", "deal_name", "value", "currency",
            "deal_date", "due_date", "payment_method", "verification_status", "payment_status", "progress",
            "remarks", "version", "created_at", "updated_at",
        )
        read_only_fields = fields


# --- payments -----------------------------------------------------------------------------------------

class PaymentCreateInputSerializer(ServiceOwnsTheRules, serializers.Serializer):
    deal = object_id_field()
    payment_date = serializers.DateField(help_text="Not in the future, at most a year back.")
    amount = money_field(help_text="More than 0; the deal's non-rejected payments never exceed its value.")
    payment_type = serializers.ChoiceField(choices=PaymentMethod.choices)
    cheque_number = serializers.CharField(max_length=50, required=False, allow_blank=True,
                                          help_text="Required for cheques; unique in the organization.")
    remarks = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class PaymentApproveInputSerializer(ServiceOwnsTheRules, serializers.Serializer):
    verified_amount = money_field(help_text="More than 0, at most the payment's amount.")
    remarks = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class PaymentRejectInputSerializer(ServiceOwnsTheRules, serializers.Serializer):
    reason = serializers.ChoiceField(choices=RejectionReason.choices)
    remarks = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class PaymentFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PaymentDecision.choices, required=False)
    deal = object_id_field(required=False)
    payment_type = serializers.ChoiceField(choices=PaymentMethod.choices, required=False)
    transaction_id = serializers.CharField(required=False, max_length=20, help_text="e.g. TXN-0001")
    recorded_by = object_id_field(required=False)
    payment_date_from = serializers.DateField(required=False)
    payment_date_to = serializers.DateField(required=False)


class PaymentDealOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    deal_id = serializers.CharField()


class InvoiceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = ("invoice_id", "amount", "issued_at")
        read_only_fields = fields


class ApprovalOutputSerializer(serializers.ModelSerializer):
    verifier = PersonOutputSerializer()

    class Meta:
        model = Approval
        fields = ("decision", "verified_amount", "failure_reason", "remarks", "verifier", "created_at")
        read_only_fields = fields


class PaymentOutputSerializer(serializers.ModelSerializer):
    deal = PaymentDealOutputSerializer()
    recorded_by = PersonOutputSerializer()
    invoice = InvoiceOutputSerializer()  # made with the payment, in the same transaction: every payment has one
    approval = ApprovalOutputSerializer(allow_null=True)  # null until a verifier decides

    class Meta:
        model = Payment
        fields = (
            "id", "transaction_id", "organization", "deal", "payment_date", "amount", "payment_type",
            "cheque_number", "status", "recorded_by", "remarks", "invoice", "approval", "created_at", "updated_at",
        )
        read_only_fields = fields

