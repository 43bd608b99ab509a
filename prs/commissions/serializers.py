"""Commission payloads in and out. CommissionService owns the rules and the arithmetic."""
from decimal import Decimal

from rest_framework import serializers

from prs.commissions.models import Commission
from prs.common.api import PlainDecimalField, PlainIntegerField, ServiceOwnsTheRules, object_id_field
from prs.common.money import CURRENCY_PATTERN, MONEY_DIGITS


class CommissionTermsInputSerializer(ServiceOwnsTheRules, serializers.Serializer):
    commission_rate = PlainDecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"), required=False,
        help_text="Percent 0-100; the organization's by default."
    )
    exchange_rate = PlainDecimalField(
        max_digits=12, decimal_places=6, min_value=Decimal("0.000001"), required=False,
        help_text="> 0; from the rate provider by default."
    )
    bonus = PlainDecimalField(max_digits=MONEY_DIGITS, decimal_places=2, min_value=Decimal("0"), required=False)
    penalty = PlainDecimalField(max_digits=MONEY_DIGITS, decimal_places=2, min_value=Decimal("0"), required=False)
    currency = serializers.RegexField(CURRENCY_PATTERN, max_length=3, required=False)


class CommissionCalculateInputSerializer(CommissionTermsInputSerializer):
    user = object_id_field(required=False, help_text="The salesperson; yourself by default.")
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class CommissionUpdateInputSerializer(CommissionTermsInputSerializer):
    version = PlainIntegerField(
        required=False, min_value=1, help_text="The version you read; a stale one answers 409."
    )


class CommissionFilterSerializer(serializers.Serializer):
    user = object_id_field(required=False)
    currency = serializers.CharField(required=False, max_length=3)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    period_start_from = serializers.DateField(required=False)
    period_end_to = serializers.DateField(required=False)


class CommissionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commission
        fields = (
            "id", "organization", "user", "period_start", "period_end", "currency", "total_sales",
            "commission_rate", "exchange_rate", "bonus", "penalty", "commission_amount", "total_commission",
            "total_receivable", "calculated_by", "version", "created_at", "updated_at",
        )
        read_only_fields = fields
