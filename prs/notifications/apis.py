"""Notifications: /api/notifications/ (your own), /api/notifications/{id}/, POST …/{id}/read/."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from prs.common.api import ServiceViewSet, error_responses, unwrap
from prs.notifications import serializers as s


@extend_schema(tags=["notifications"], parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
class NotificationViewSet(ServiceViewSet):
    service_name = "notification_service"

    @extend_schema(
        parameters=[s.NotificationFilterSerializer],
        responses={200: s.NotificationOutputSerializer(many=True), **error_responses(400, 403)},
    )
    def list(self, request: Request) -> Response:
        notifications = unwrap(self.service().list(request.user, self.filters(s.NotificationFilterSerializer)))
        return self.paginated(notifications, s.NotificationOutputSerializer)

    @extend_schema(responses={200: s.NotificationOutputSerializer, **error_responses(403, 404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return self.respond(unwrap(self.service().get(request.user, pk)), s.NotificationOutputSerializer)

    @extend_schema(request=None, responses={200: s.NotificationOutputSerializer, **error_responses(403, 404)})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        return self.respond(unwrap(self.service().mark_read(request.user, pk)), s.NotificationOutputSerializer)
