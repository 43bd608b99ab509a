"""Commission of a salesperson for a period."""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from prs.common.money import MONEY_DIGITS


class Commission(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="commissions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commissions")
    period_start = models.DateField()
    period_end = models.DateField()
    currency = models.CharField(max_length=3, default="USD")
    # Inputs.
    total_sales = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=2, default=Decimal("0.00"))
    commission_rate = models.DecimalField(max_digits=5, decimal_places=2)
    exchange_rate = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal("1"))
    bonus = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=2, default=Decimal("0.00"))
    penalty = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=2, default=Decimal("0.00"))
    # Derived (commission = sales x rate / 100 x exchange rate; total = commission + bonus;
    # receivable = total - penalty; each rounded half-up to the cent).
    commission_amount = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=2, default=Decimal("0.00"))
    total_commission = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=2, default=Decimal("0.00"))
    total_receivable = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=2, default=Decimal("0.00"))
    calculated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "period_start", "period_end"], name="commission_unique_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="commission_period_order"),
            models.CheckConstraint(
                condition=Q(commission_rate__gte=0) & Q(commission_rate__lte=100), name="commission_rate_0_100"
            ),
            models.CheckConstraint(condition=Q(exchange_rate__gt=0), name="commission_exchange_rate_positive"),
            models.CheckConstraint(condition=Q(bonus__gte=0) & Q(penalty__gte=0), name="commission_bonus_penalty"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period_start}..{self.period_end}"
