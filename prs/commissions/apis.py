"""Commissions: /api/commissions/ (list), …/{id}/ (get, update), POST /api/commissions/calculate/."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from prs.commissions import serializers as s
from prs.common.api import ServiceViewSet, error_responses, parse, unwrap


@extend_schema(tags=["commissions"])
class CommissionViewSet(ServiceViewSet):
    service_name = "commission_service"

    @extend_schema(
        parameters=[s.CommissionFilterSerializer],
        responses={200: s.CommissionOutputSerializer(many=True), **error_responses(400, 403)},
    )
    def list(self, request: Request) -> Response:
        commissions = unwrap(self.service().list(request.user, self.filters(s.CommissionFilterSerializer)))
        return self.paginated(commissions, s.CommissionOutputSerializer)

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={200: s.CommissionOutputSerializer, **error_responses(403, 404)},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return self.respond(unwrap(self.service().get(request.user, pk)), s.CommissionOutputSerializer)

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        request=s.CommissionUpdateInputSerializer,
        responses={200: s.CommissionOutputSerializer, **error_responses(400, 403, 404, 409, 503)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        data = parse(s.CommissionUpdateInputSerializer, request.data)
        return self.respond(unwrap(self.service().update(request.user, pk, data)), s.CommissionOutputSerializer)

    @extend_schema(
        request=s.CommissionCalculateInputSerializer,
        responses={201: s.CommissionOutputSerializer, **error_responses(400, 403, 409, 503)},
    )
    @action(detail=False, methods=["post"])
    def calculate(self, request: Request) -> Response:
        data = parse(s.CommissionCalculateInputSerializer, request.data)
        commission = unwrap(self.service().calculate(request.user, data))
        return self.respond(commission, s.CommissionOutputSerializer, status.HTTP_201_CREATED)
