"""Notifications out, and the filters of their list."""
from rest_framework import serializers

from prs.notifications.models import Notification, NotificationType, Priority


class NotificationFilterSerializer(serializers.Serializer):
    is_read = serializers.BooleanField(required=False, allow_null=True, default=None)
    notification_type = serializers.ChoiceField(choices=NotificationType.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)


class NotificationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = (
            "id", "organization", "recipient", "notification_type", "title", "message", "priority",
            "is_read", "read_at", "related_object_type", "related_object_id", "created_at",
        )
        read_only_fields = fields
