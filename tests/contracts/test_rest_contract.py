"""The REST face of the contracts: the drf-spectacular schema is valid OpenAPI 3, and schemathesis, run in-process
against the WSGI app with a token, finds no server error, no undocumented status code, no response outside its
schema and no endpoint that ignores authentication."""
from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import ignored_auth, response_schema_conformance, status_code_conformance

SCHEMA_PATH = "/api/schema/?format=json"
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, ignored_auth]

schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, get_wsgi_application())


@pytest.fixture(autouse=True)
def _connections_survive_requests():
    """The WSGI app closes connections at the end of each request; inside the test's transaction that would
    close the test database under us. Django's own test client detaches the same signal handlers."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_published_schema_is_valid_openapi_3(client):
    document = json.loads(client.get(SCHEMA_PATH).content)
    validate_schema(document)
    assert document["openapi"].startswith("3.")
    assert document["paths"], "the schema lists no endpoints"


@pytest.fixture
def token(db) -> str:
    from support.prs.contracts import world
    from support.prs.factories import PaymentFactory

    w = world()
    PaymentFactory(deal__client__organization=w.organization, deal__actor=w.salesperson, actor=w.salesperson)
    return Token.objects.create(user=w.admin).key


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_its_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
