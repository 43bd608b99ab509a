"""The audit trail, read-only: /api/audit-logs/ and /api/audit-logs/{id}/ (org admins and verifiers)."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from prs.audit import serializers as s
from prs.common.api import ServiceViewSet, error_responses, unwrap


@extend_schema(tags=["audit"], parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
class AuditLogViewSet(ServiceViewSet):
    service_name = "audit_service"

    @extend_schema(
        parameters=[s.AuditLogFilterSerializer],
        responses={200: s.AuditLogOutputSerializer(many=True), **error_responses(400, 403)},
    )
    def list(self, request: Request) -> Response:
        entries = unwrap(self.service().list(request.user, self.filters(s.AuditLogFilterSerializer)))
        return self.paginated(entries, s.AuditLogOutputSerializer)

    @extend_schema(responses={200: s.AuditLogOutputSerializer, **error_responses(403, 404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return self.respond(unwrap(self.service().get(request.user, pk)), s.AuditLogOutputSerializer)
