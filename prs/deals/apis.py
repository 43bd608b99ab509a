"""Deals (/api/deals/, …/{id}/, POST …/{id}/verify/) and payments (/api/payments/, …/{id}/,
POST …/{id}/approve/, POST …/{id}/reject/)."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from prs.common.api import ServiceViewSet, error_responses, parse, unwrap
from prs.deals import serializers as s

ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH)


@extend_schema(tags=["deals"], parameters=[ID_PARAMETER])
class DealViewSet(ServiceViewSet):
    service_name = "deal_service"

    @extend_schema(
        parameters=[s.DealFilterSerializer],
        responses={200: s.DealOutputSerializer(many=True), **error_responses(400, 403)},
    )
    def list(self, request: Request) -> Response:
        deals = unwrap(self.service().list(request.user, self.filters(s.DealFilterSerializer)))
        return self.paginated(deals, s.DealOutputSerializer)

    @extend_schema(
        request=s.DealCreateInputSerializer,
        responses={201: s.DealOutputSerializer, **error_responses(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = parse(s.DealCreateInputSerializer, request.data)
        deal = unwrap(self.service().create(request.user, data))
        return self.respond(deal, s.DealOutputSerializer, status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.DealOutputSerializer, **error_responses(403, 404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return self.respond(unwrap(self.service().get(request.user, pk)), s.DealOutputSerializer)

    @extend_schema(
        request=s.DealUpdateInputSerializer,
        responses={200: s.DealOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        data = parse(s.DealUpdateInputSerializer, request.data)
        return self.respond(unwrap(self.service().update(request.user, pk, data)), s.DealOutputSerializer)

    @extend_schema(responses={204: None, **error_responses(403, 404, 409)})
    def destroy(self, request: Request, pk: str) -> Response:
        unwrap(self.service().delete(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=s.DealVerifyInputSerializer,
        responses={200: s.DealOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        data = parse(s.DealVerifyInputSerializer, request.data)
        return self.respond(unwrap(self.service().verify(request.user, pk, data.get("status"))), s.DealOutputSerializer)


@extend_schema(tags=["payments"], parameters=[ID_PARAMETER])
class PaymentViewSet(ServiceViewSet):
    service_name = "payment_service"

    @extend_schema(
        parameters=[s.PaymentFilterSerializer],
        responses={200: s.PaymentOutputSerializer(many=True), **error_responses(400, 403)},
    )
    def list(self, request: Request) -> Response:
        payments = unwrap(self.service().list(request.user, self.filters(s.PaymentFilterSerializer)))
        return self.paginated(payments, s.PaymentOutputSerializer)

    @extend_schema(
        request=s.PaymentCreateInputSerializer,
        responses={201: s.PaymentOutputSerializer, **error_responses(400, 403, 409)},
    )
    def create(self, request: Request) -> Response:
        data = parse(s.PaymentCreateInputSerializer, request.data)
        payment = unwrap(self.service().create(request.user, data))
        return self.respond(payment, s.PaymentOutputSerializer, status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.PaymentOutputSerializer, **error_responses(403, 404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return self.respond(unwrap(self.service().get(request.user, pk)), s.PaymentOutputSerializer)

    @extend_schema(
        request=s.PaymentApproveInputSerializer,
        responses={200: s.PaymentOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        data = parse(s.PaymentApproveInputSerializer, request.data)
        payment = unwrap(self.service().approve(request.user, pk, data.get("verified_amount"), data["remarks"]))
        return self.respond(payment, s.PaymentOutputSerializer)

    @extend_schema(
        request=s.PaymentRejectInputSerializer,
        responses={200: s.PaymentOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        data = parse(s.PaymentRejectInputSerializer, request.data)
        payment = unwrap(self.service().reject(request.user, pk, data.get("reason"), data["remarks"]))
        return self.respond(payment, s.PaymentOutputSerializer)
