"""schemathesis over PRS's REST API, in-process through the WSGI app, with every check it has (the CLI's
``--checks all``), valid and invalid data (``--mode all``), a fixed seed and a bounded number of examples per
operation: no server error, no undocumented status code or content type, no response outside its schema, no
valid request refused, no invalid request accepted, no endpoint that ignores authentication (rule API-09).

Used by tests/contracts/test_rest_contract.py (pytest, one test per operation) and by the acceptance scenario
of rule API-09 (``exercise``, a smaller run)."""
from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.specs.openapi.checks import positive_data_acceptance

from support.prs.messages import assert_known_body

SCHEMA_PATH = "/api/schema/?format=json"
SEED = 20261128

# Rules OpenAPI cannot state: they compare two fields, depend on today's date or on stored data. A request the
# schema allows may break one of them, and PRS answers 400 naming the field; only such a 400 is not a valid
# request wrongly refused. Any other refusal of schema-valid data still fails the run.
RULES_BEYOND_THE_SCHEMA = {
    "payment_date": "not in the future, at most a year back (relative to today)",
    "due_date": "on or after the deal date (two fields)",
    "period_end": "on or after the period start (two fields)",
    "amount": "no overpayment of the deal (stored payments)",
    "verified_amount": "at most the payment's amount (stored payment)",
    "value": "not below the deal's committed payments (stored payments)",
    "client": "a client of the actor's organization (stored data)",
    "deal": "a deal of the actor's organization (stored data)",
    "user": "a salesperson of the actor's organization (stored data)",
    "cheque_number": "required for cheques (two fields), unique in the organization (stored data)",
    "email": "unique among the organization's clients (stored data)",
    "page": "a page that exists (stored data)",
    "commission_amount": "the computed commission fits its column (stored sales)",
    "total_commission": "the computed total fits its column (stored sales)",
    "total_receivable": "the computed receivable fits its column (stored sales)",
}

load_all_checks()


def positive_data_acceptance_beyond_the_schema(ctx: Any, response: Any, case: Any) -> bool | None:
    """positive_data_acceptance, except for a 400 that names only rules the schema cannot state."""
    if response.status_code == 400:
        errors = json.loads(response.content or b"{}").get("errors") or {}
        if errors and set(errors) <= set(RULES_BEYOND_THE_SCHEMA):
            return None
    return positive_data_acceptance(ctx, response, case)


def catalogued_messages(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every refusal speaks only the sentences of docs/messages.md (its ``detail`` and each of its ``errors``)."""
    if response.status_code >= 400:
        try:
            body = json.loads(response.content or b"")
        except ValueError:
            return None  # not the API's error form: the schema checks report it
        if isinstance(body, dict) and {"detail", "errors"} <= set(body):
            assert_known_body(body, f"{case.method} {case.formatted_path} → {response.status_code}")
    return None


# The CLI's --checks all, with positive_data_acceptance knowing the rules above, and the message catalogue.
ALL_CHECKS = [check if check is not positive_data_acceptance else positive_data_acceptance_beyond_the_schema
              for check in CHECKS.get_all()] + [catalogued_messages]


def prs_schema(examples: int) -> Any:
    from django.core.wsgi import get_wsgi_application

    return schemathesis.openapi.from_wsgi(SCHEMA_PATH, get_wsgi_application(), config=_config(examples))


def _config(examples: int) -> Any:
    return schemathesis.config.SchemathesisConfig.from_dict({
        "seed": SEED, "generation": {"mode": "all", "max-examples": examples, "deterministic": True},
    })


def hypothesis_settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


@contextlib.contextmanager
def connections_kept_open() -> Iterator[None]:
    """The WSGI app closes connections at the end of each request; inside a test's transaction that would
    close the test database under us. Django's own test client detaches the same signal handlers."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@dataclass
class _Exercise:
    """The loaded description, one hypothesis test per operation and generation mode, and the requests those
    tests drew, for one exact description text. Drawing them costs seconds and depends on the text alone
    (fixed seed, derandomized): a later exercise of the same text sends the same requests again."""

    tests: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    token: str = ""  # the caller's token, read when a request is sent
    drawn: dict[str, list[Any]] = field(default_factory=dict)  # label -> the cases hypothesis drew
    replay: bool = False  # set once every test has run through hypothesis: send `drawn` instead


# (description text's hash, examples) -> what was built for it; a PRS that publishes another description
# (a changed serializer) gets its own.
_built: dict[tuple[str, int], _Exercise] = {}


def _description(app: Any) -> bytes:
    """The description's text through the WSGI app, as schemathesis fetches it (Django's test client would
    reconnect the signal handlers that connections_kept_open took off)."""
    from werkzeug.test import Client

    response = Client(app).get(SCHEMA_PATH)
    if response.status_code != 200:
        raise AssertionError(f"GET {SCHEMA_PATH} answered {response.status_code}: {response.get_data()[:300]!r}")
    return response.get_data()


def _build(text: bytes, app: Any, examples: int) -> _Exercise:
    schema = schemathesis.openapi.from_dict(json.loads(text), config=_config(examples))
    schema.app, schema.location = app, SCHEMA_PATH
    built = _Exercise()
    for loaded in schema.get_all_operations():
        operation = loaded.ok()
        for mode in schemathesis.GenerationMode:
            label = f"{operation.label} ({mode.value})"
            built.tests.append((label, _hypothesis_test(operation, mode, label, built, examples)))
    return built


def _hypothesis_test(operation: Any, mode: Any, label: str, built: _Exercise, examples: int) -> Callable[[], None]:
    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(examples)
    def run(case: Any) -> None:
        built.drawn.setdefault(label, []).append(case)
        _send(case, built)

    return run


def _send(case: Any, built: _Exercise) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {built.token}"}, checks=ALL_CHECKS)


def _replayed(label: str, built: _Exercise) -> None:
    """The cases hypothesis drew for `label`, sent again; the failures of all of them, like hypothesis."""
    from schemathesis.core.failures import FailureGroup

    found: list[Any] = []
    for case in built.drawn.get(label, []):
        try:
            _send(case, built)
        except FailureGroup as group:
            found.extend(group.exceptions)
    if found:
        raise FailureGroup(found)


def exercise(token: str, examples: int) -> list[str]:
    """Every operation, valid and invalid data, every check; the failures, one line each (none: agreement)."""
    from django.core.wsgi import get_wsgi_application
    from schemathesis.core.failures import FailureGroup

    failures: list[str] = []
    with connections_kept_open():  # fetching the description is a request too
        app = get_wsgi_application()
        text = _description(app)
        key = (hashlib.sha256(text).hexdigest(), examples)
        built = _built.get(key) or _built.setdefault(key, _build(text, app, examples))
        built.token = token
        if not built.replay:
            built.drawn.clear()  # a failed draw is drawn afresh, not appended to
        for label, run in built.tests:
            try:
                _replayed(label, built) if built.replay else run()
            except FailureGroup as group:
                found = "; ".join(f"{failure.title}: {failure.message}"[:300] for failure in group.exceptions)
                failures.append(f"{label}: {found}")
        built.replay = not failures  # a failed draw may have shrunk; draw afresh next time
    return failures
