"""Login payload in, token out."""
from rest_framework import serializers

from prs.common.api import ServiceOwnsTheRules


class TokenInputSerializer(ServiceOwnsTheRules, serializers.Serializer):
    """The lengths are stated for the schema; AuthService enforces them (and says which field is wrong)."""

    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
