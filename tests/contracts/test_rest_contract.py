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
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import UndefinedStatusCode
from schemathesis.specs.openapi.checks import ignored_auth, response_schema_conformance, status_code_conformance

SCHEMA_PATH = "/api/schema/?format=json"
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, ignored_auth]

schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, get_wsgi_application())


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
    try:
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
    except FailureGroup as failures:
        gaps = {_known_gap(case, f) for f in failures.exceptions}
        if None not in gaps:
            pytest.xfail("; ".join(sorted(gaps)))
        raise


# Known PRS API gaps (reported to the API's owner; prs/ is not ours to edit). Only exactly these are tolerated:
# 1. a list endpoint asked for a page past the end (e.g. ?page=0) answers 404 "Invalid page.", undocumented.
#    Fix in PRS: document 404 on list operations, or answer 400 for an invalid page.
# 2. PATCH documents multipart/form-data and x-www-form-urlencoded bodies, but the views parse JSON only and answer
#    415, undocumented. Fix in PRS: DEFAULT_PARSER_CLASSES = [JSONParser] (the schema then lists JSON only).
KNOWN_PAGE_GAP = "list endpoint answers an undocumented 404 for an invalid ?page (PRS API gap)"
KNOWN_MEDIA_GAP = "PATCH answers an undocumented 415 for a media type its schema lists (PRS API gap)"


def _known_gap(case, failure) -> str | None:
    if not isinstance(failure, UndefinedStatusCode):
        return None
    if failure.status_code == 404 and case.method == "GET" and "{" not in case.path and "page" in (case.query or {}):
        return KNOWN_PAGE_GAP
    if failure.status_code == 415 and case.method == "PATCH" and case.media_type != "application/json":
        return KNOWN_MEDIA_GAP
    return None
