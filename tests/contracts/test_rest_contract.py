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
