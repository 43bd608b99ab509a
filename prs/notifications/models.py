"""Notifications PRS sends to the users of an organization."""
from django.conf import settings
from django.db import models
from django.db.models import Q


class NotificationType(models.TextChoices):
    DEAL_CREATED = "deal_created", "Deal created"
    PAYMENT_RECORDED = "payment_recorded", "Payment recorded"
    PAYMENT_APPROVED = "payment_approved", "Payment approved"
    PAYMENT_REJECTED = "payment_rejected", "Payment rejected"
    COMMISSION_CALCULATED = "commission_calculated", "Commission calculated"
    COMMISSION_CHANGED = "commission_changed", "Commission changed"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Notification(models.Model):
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="notifications"
    )
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    notification_type = models.CharField(max_length=30, choices=NotificationType.choices)
    title = models.CharField(max_length=200)
    message = models.TextField()
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    is_read = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    # The object the notification is about, e.g. ("deals.payment", "42").
    related_object_type = models.CharField(max_length=50)
    related_object_id = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(notification_type__in=NotificationType.values), name="notification_type_valid"
            ),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="notification_priority_valid"),
            models.CheckConstraint(
                condition=Q(is_read=False, read_at__isnull=True) | Q(is_read=True, read_at__isnull=False),
                name="notification_read_at_matches_flag",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "is_read"])]

    def __str__(self) -> str:
        return self.title
