"""Clients of an organization's sales team."""
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

PHONE_PATTERN = r"^\+[0-9]{10,15}$"
phone_validator = RegexValidator(PHONE_PATTERN, "Phone must be + followed by 10 to 15 digits.")


class ClientStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CLEAR = "clear", "Clear"
    BAD_DEBT = "bad_debt", "Bad debt"


class Client(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="clients")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=16, validators=[phone_validator])
    nationality = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=ClientStatus.choices, default=ClientStatus.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clients_created"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "email"], name="client_email_unique_in_org"),
            models.CheckConstraint(condition=Q(status__in=ClientStatus.values), name="client_status_valid"),
            models.CheckConstraint(condition=Q(phone__regex=PHONE_PATTERN), name="client_phone_format"),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.name
