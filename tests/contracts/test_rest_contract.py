"""The REST face of the contracts: the drf-spectacular schema is valid OpenAPI 3, and schemathesis with every
check, valid and invalid data, a fixed seed and bounded examples (support/prs/schema_conformance.py) finds no
disagreement between the schema and the API, one test per operation (rule API-09)."""
from __future__ import annotations

import json

import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token

from support.prs.schema_conformance import (
    ALL_CHECKS,
    SCHEMA_PATH,
    connections_kept_open,
    hypothesis_settings,
    prs_schema,
)

EXAMPLES_PER_OPERATION = 3

schema = prs_schema(EXAMPLES_PER_OPERATION)


@pytest.fixture(autouse=True)
def _connections_survive_requests():
    with connections_kept_open():
        yield


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
@hypothesis_settings(EXAMPLES_PER_OPERATION)
def test_api_conforms_to_its_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=ALL_CHECKS)


@pytest.mark.slow
def test_a_repeated_exercise_sends_the_drawn_requests_again_and_still_finds_a_broken_api(token, monkeypatch):
    """The acceptance scenario's exercise (rule API-09) draws its requests once per description text; the
    next exercise of the same text sends them again, and judges them as the first did."""
    from prs.clients import apis
    from support.prs import schema_conformance

    assert schema_conformance.exercise(token, 1) == []
    built = next(iter(schema_conformance._built.values()))
    assert built.replay and built.drawn, "the first exercise kept no requests to send again"

    def broken(*args, **kwargs):
        raise RuntimeError("a PRS bug")

    monkeypatch.setattr(apis.ClientViewSet, "list", broken)
    failures = schema_conformance.exercise(token, 1)
    assert any("/api/clients/" in failure and "Server error" in failure for failure in failures), failures
