"""Client payloads in and out. Input serializers check shapes and types; the rules live in ClientService."""
from rest_framework import serializers

from prs.clients.models import PHONE_PATTERN, Client, ClientStatus
from prs.common.api import PlainIntegerField, ServiceOwnsTheRules, object_id_field


class ClientCreateInputSerializer(ServiceOwnsTheRules, serializers.Serializer):
    organization = object_id_field(required=False, help_text="Superusers only: the organization.")
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField()
    phone = serializers.RegexField(PHONE_PATTERN, max_length=16, help_text="+ followed by 10 to 15 digits.")
    nationality = serializers.CharField(max_length=100, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ClientStatus.choices, required=False)


class ClientUpdateInputSerializer(ServiceOwnsTheRules, serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    email = serializers.EmailField(required=False)
    phone = serializers.RegexField(PHONE_PATTERN, max_length=16, required=False)
    nationality = serializers.CharField(max_length=100, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ClientStatus.choices, required=False)
    version = PlainIntegerField(
        required=False, min_value=1, help_text="The version you read; a stale one answers 409."
    )


class ClientFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ClientStatus.choices, required=False)
    nationality = serializers.CharField(required=False)
    email = serializers.CharField(required=False)
    search = serializers.CharField(required=False, help_text="Part of the name or email.")


class ClientOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = (
            "id", "organization", "name", "email", "phone", "nationality", "status",
            "created_by", "version", "created_at", "updated_at",
        )
        read_only_fields = fields
