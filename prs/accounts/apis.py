"""POST /api/auth/token/: email + password -> a DRF token for ``Authorization: Token <key>``.

Answers: 200 {"token"}; 400 a missing or malformed field; 401 wrong email or password (the same
answer for an unknown email, so logins cannot be probed); 429 locked out after too many failures
(``Retry-After`` gives the window in seconds). Counting failures, locking out and recording the
security events is AuthService's work.
"""
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prs.accounts import serializers as s
from prs.accounts.services import AuthService
from prs.common.api import PARSER_CLASSES, error_responses, parse, unwrap
from prs.common.results import ErrorCode


class TokenApi(APIView):
    authentication_classes: list = []  # a stale token must not stop anyone from logging in again
    permission_classes = (AllowAny,)
    parser_classes = PARSER_CLASSES

    def get_authenticate_header(self, request: Request) -> str:
        """The challenge of a refused sign-in: the one every other 401 of the API gives (DRF answers 403 without)."""
        return TokenAuthentication.keyword

    @extend_schema(
        tags=["auth"],
        request=s.TokenInputSerializer,
        responses={200: s.TokenOutputSerializer, **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = parse(s.TokenInputSerializer, request.data)
        result = AuthService().authenticate(data.get("email"), data.get("password"))
        if result.error_code == ErrorCode.VALIDATION and set(result.errors) == {"non_field_errors"}:
            # Field errors stay 400; a failure naming no field is a wrong email or password: a 401 like any other.
            raise exceptions.AuthenticationFailed(result.errors["non_field_errors"][0])
        token, _ = Token.objects.get_or_create(user=unwrap(result))
        return Response(s.TokenOutputSerializer({"token": token.key}).data)
