"""Clients: /api/clients/ (list, create) and /api/clients/{id}/ (get, update, delete)."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from prs.clients import serializers as s
from prs.common.api import ServiceViewSet, error_responses, parse, unwrap


@extend_schema(tags=["clients"], parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
class ClientViewSet(ServiceViewSet):
    service_name = "client_service"

    @extend_schema(
        parameters=[s.ClientFilterSerializer],
        responses={200: s.ClientOutputSerializer(many=True), **error_responses(400, 403)},
    )
    def list(self, request: Request) -> Response:
        clients = unwrap(self.service().list(request.user, self.filters(s.ClientFilterSerializer)))
        return self.paginated(clients, s.ClientOutputSerializer)

    @extend_schema(
        request=s.ClientCreateInputSerializer,
        responses={201: s.ClientOutputSerializer, **error_responses(400, 403, 409)},
    )
    def create(self, request: Request) -> Response:
        data = parse(s.ClientCreateInputSerializer, request.data)
        client = unwrap(self.service().create(request.user, data))
        return self.respond(client, s.ClientOutputSerializer, status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.ClientOutputSerializer, **error_responses(403, 404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return self.respond(unwrap(self.service().get(request.user, pk)), s.ClientOutputSerializer)

    @extend_schema(
        request=s.ClientUpdateInputSerializer,
        responses={200: s.ClientOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        data = parse(s.ClientUpdateInputSerializer, request.data)
        return self.respond(unwrap(self.service().update(request.user, pk, data)), s.ClientOutputSerializer)

    @extend_schema(responses={204: None, **error_responses(403, 404, 409)})
    def destroy(self, request: Request, pk: str) -> Response:
        unwrap(self.service().delete(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
