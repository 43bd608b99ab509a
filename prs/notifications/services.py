"""Notifications PRS sends, always inside the transaction of their cause, only within one organization."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Protocol

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from prs.accounts.models import User
from prs.common.access import find_for_actor, for_update, object_type
from prs.common.inputs import Payload
from prs.common.results import ErrorCode, ServiceResult
from prs.notifications import selectors
from prs.notifications.models import Notification, NotificationType, Priority


class NotificationServiceProtocol(Protocol):
    def notify(
        self,
        recipients: Iterable[User],
        type: str,
        title: str,
        message: str,
        priority: str,
        related_object: models.Model,
    ) -> ServiceResult[list[Notification]]: ...

    def get(self, actor: User, notification_id: object) -> ServiceResult[Notification]: ...

    def list(
        self, actor: User, filters: Mapping[str, Any] | None = None
    ) -> ServiceResult[QuerySet[Notification]]: ...

    def mark_read(self, actor: User, notification_id: object) -> ServiceResult[Notification]: ...


class NotificationService:
    dependencies: ClassVar[tuple[str, ...]] = ()

    def notify(
        self,
        recipients: Iterable[User],
        type: str,  # noqa: A002 - the contract's name
        title: str,
        message: str,
        priority: str,
        related_object: models.Model,
    ) -> ServiceResult[list[Notification]]:
        """One notification per distinct recipient. Recipients outside the object's organization are refused."""
        errors: dict[str, list[str]] = {}
        if type not in NotificationType.values:
            errors["type"] = [f"{type!r} is not one of {', '.join(NotificationType.values)}."]
        if priority not in Priority.values:
            errors["priority"] = [f"{priority!r} is not one of {', '.join(Priority.values)}."]
        # PRS writes the texts itself (short ones), but a notification is checked like any input: the column
        # holds 200 characters of title, and a message of more than a page says too much.
        texts = Payload({"title": title, "message": message})
        texts.string("title", max_length=200)
        texts.string("message", max_length=5000)
        errors.update(texts.errors.errors)
        organization_id = getattr(related_object, "organization_id", None)
        if organization_id is None:
            errors["related_object"] = [f"{object_type(related_object)} belongs to no organization."]
        people = {user.pk: user for user in recipients}
        strangers = sorted(user.email for user in people.values() if user.organization_id != organization_id)
        if strangers:
            errors["recipients"] = [f"Not members of organization {organization_id}: {', '.join(strangers)}."]
        if errors:
            return ServiceResult.fail(ErrorCode.VALIDATION, errors)
        notifications = [
            Notification(
                organization_id=organization_id,
                recipient=user,
                notification_type=type,
                title=title,
                message=message,
                priority=priority,
                related_object_type=object_type(related_object),
                related_object_id=str(related_object.pk),
            )
            for user in people.values()
        ]
        with transaction.atomic():
            created = Notification.objects.bulk_create(notifications)
        return ServiceResult.ok(created)

    def get(self, actor: User, notification_id: object) -> ServiceResult[Notification]:
        notification, failure = find_for_actor(
            actor, selectors.notification_queryset(actor), notification_id, label="Notification"
        )
        return failure or ServiceResult.ok(notification)

    def list(self, actor: User, filters: Mapping[str, Any] | None = None) -> ServiceResult[QuerySet[Notification]]:
        return ServiceResult.ok(selectors.notification_list(actor, filters))

    def mark_read(self, actor: User, notification_id: object) -> ServiceResult[Notification]:
        """Only the recipient marks a notification read; marking it again changes nothing."""
        with transaction.atomic():
            notification, failure = find_for_actor(
                actor, for_update(selectors.notification_queryset(actor)), notification_id,
                label="Notification",
            )
            if failure:
                return failure
            assert notification is not None
            if not notification.is_read:
                notification.is_read = True
                notification.read_at = timezone.now()
                notification.save()  # locked and current: every column as it is
        return ServiceResult.ok(notification)
