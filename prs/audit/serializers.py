"""Audit entries out (read-only), and the filters of their list."""
from rest_framework import serializers

from prs.audit.models import AuditAction, AuditLog
from prs.common.api import object_id_field


class AuditLogFilterSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
    object_type = serializers.CharField(required=False, help_text="e.g. deals.payment")
    object_id = serializers.CharField(required=False)
    actor = object_id_field(required=False)


class AuditLogOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditLog
        fields = (
            "id", "organization", "actor", "action", "object_type", "object_id", "changes",
            "ip_address", "created_at", "previous_hash", "entry_hash",
        )
        read_only_fields = fields
