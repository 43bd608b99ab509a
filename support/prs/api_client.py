"""PRS's REST API as the steps reach it: real HTTP requests, every exchange logged for Allure.

* ``ApiSession`` — one caller (anonymous until it signs in). In-process it sends requests through DRF's
  ``APIClient`` (Django's full stack: URL routing, middleware, authentication, the exception handler);
  over the network it sends them with ``requests`` to a live server. Either way each exchange becomes an
  ``ApiAnswer`` and is appended to ``context.http_log`` and to the hooks' Allure record.
* ``session_for(context, user)`` / ``anonymous_session(context)`` — cached per scenario on the context.
* ``start_live_server(context)`` — PRS served on 127.0.0.1 on an ephemeral port by Django's own
  ``LiveServerThread``; stopped by a context cleanup when the scenario ends. It sees what the scenario
  committed (every scenario commits for real, as in production).
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

API_ROOT = "/api/"
TOKEN_PATH = f"{API_ROOT}auth/token/"
SCHEMA_PATH = f"{API_ROOT}schema/"
DEFAULT_REMOTE_ADDR = "127.0.0.1"
LIVE_SERVER_START_SECONDS = 10.0


def list_path(resource: str) -> str:
    """``clients`` → ``/api/clients/``; ``audit-logs`` → ``/api/audit-logs/``."""
    if not resource or "/" in resource:
        raise ValueError(f"list_path: expected a resource name such as 'deals', got {resource!r}")
    return f"{API_ROOT}{resource}/"


def detail_path(resource: str, pk: object, action: str = "") -> str:
    """``/api/<resource>/<pk>/`` or ``/api/<resource>/<pk>/<action>/``."""
    return f"{list_path(resource)}{pk}/" + (f"{action}/" if action else "")


@dataclass(frozen=True)
class ApiAnswer:
    """One HTTP response, however it was sent."""

    method: str
    path: str
    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)
    elapsed_ms: float = 0.0

    @property
    def status_code(self) -> int:  # the name Django's and requests' responses use
        return self.status

    @property
    def error_code(self) -> str | None:
        return self.body.get("error_code") if isinstance(self.body, Mapping) else None

    @property
    def field_errors(self) -> dict[str, Any]:
        errors = self.body.get("errors") if isinstance(self.body, Mapping) else None
        return dict(errors) if isinstance(errors, Mapping) else {}

    @property
    def results(self) -> list[Any]:
        """The items of a paginated list answer (``results``), else a clear failure."""
        if not isinstance(self.body, Mapping) or not isinstance(self.body.get("results"), list):
            raise AssertionError(f"{self.method} {self.path} → {self.status}: not a paginated list: {self.body!r:.300}")
        return self.body["results"]

    def describe(self) -> str:
        return f"{self.method} {self.path} → {self.status}: {json.dumps(self.body, default=str)[:500]}"


class Transport(Protocol):
    def send(self, method: str, path: str, *, body: Any, params: Mapping[str, Any] | None,
             headers: Mapping[str, str]) -> tuple[int, Any, dict[str, str]]: ...


def _decoded(content: bytes, content_type: str) -> Any:
    text = content.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


class InProcessTransport:
    """DRF's APIClient: real requests through Django's handler, in this process and thread."""

    def __init__(self, remote_addr: str) -> None:
        from rest_framework.test import APIClient

        self.client = APIClient(REMOTE_ADDR=remote_addr)

    def send(self, method: str, path: str, *, body: Any, params: Mapping[str, Any] | None,
             headers: Mapping[str, str]) -> tuple[int, Any, dict[str, str]]:
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        call = getattr(self.client, method.lower())
        if method == "GET":
            response = call(path, data=dict(params or {}), **extra)
        else:
            response = call(path, data=body, format="json", **extra)
        return response.status_code, _decoded(response.content, response.get("Content-Type", "")), dict(
            response.headers)


class NetworkTransport:
    """``requests`` against a server listening on a real socket."""

    def __init__(self, base_url: str) -> None:
        import requests

        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()

    def send(self, method: str, path: str, *, body: Any, params: Mapping[str, Any] | None,
             headers: Mapping[str, str]) -> tuple[int, Any, dict[str, str]]:
        response = self.http.request(method, self.base_url + path, params=params,
                                     json=body if method != "GET" else None, headers=dict(headers), timeout=10)
        return response.status_code, _decoded(response.content, response.headers.get("Content-Type", "")), dict(
            response.headers)

    def close(self) -> None:
        self.http.close()


class ApiSession:
    """One API caller. ``sign_in`` uses the token endpoint; ``use_token_of`` signs a known user in directly."""

    def __init__(self, context: Any, transport: Transport, label: str = "anonymous") -> None:
        self.context = context
        self.transport = transport
        self.label = label
        self.headers: dict[str, str] = {}

    def sign_in(self, email: str, password: str) -> ApiAnswer:
        answer = self.post(TOKEN_PATH, {"email": email, "password": password}, log_body={"email": email,
                                                                                           "password": "***"})
        if answer.status == 200 and isinstance(answer.body, Mapping) and answer.body.get("token"):
            self.headers["Authorization"] = f"Token {answer.body['token']}"
        return answer

    def use_token_of(self, user: Any) -> ApiSession:
        from rest_framework.authtoken.models import Token

        token, _ = Token.objects.get_or_create(user=user)
        self.headers["Authorization"] = f"Token {token.key}"
        self.label = user.email
        return self

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> ApiAnswer:
        return self.send("GET", path, params=params)

    def post(self, path: str, body: Any = None, *, log_body: Any = None) -> ApiAnswer:
        return self.send("POST", path, body=body if body is not None else {}, log_body=log_body)

    def patch(self, path: str, body: Any) -> ApiAnswer:
        return self.send("PATCH", path, body=body)

    def delete(self, path: str) -> ApiAnswer:
        return self.send("DELETE", path)

    def send(self, method: str, path: str, *, body: Any = None, params: Mapping[str, Any] | None = None,
             log_body: Any = None) -> ApiAnswer:
        started = time.perf_counter()
        status, decoded, headers = self.transport.send(method, path, body=body, params=params, headers=self.headers)
        answer = ApiAnswer(method, path, status, decoded, headers, (time.perf_counter() - started) * 1000)
        log_exchange(self.context, answer, log_body if log_body is not None else body, params, self.label)
        return answer


def log_exchange(context: Any, answer: ApiAnswer, request_body: Any, params: Mapping[str, Any] | None,
                 caller: str) -> None:
    """Appends the exchange to ``context.http_log`` and to the hooks' record (Allure attachments)."""
    from support.behave.hooks import record_http_exchange

    path = answer.path + (f"?{'&'.join(f'{k}={v}' for k, v in params.items())}" if params else "")
    if not hasattr(context, "http_log"):
        context.http_log = []
    context.http_log.append({
        "caller": caller,
        "request": {"method": answer.method, "path": path, "body": request_body},
        "response": {"status": answer.status, "body": answer.body, "elapsed_ms": round(answer.elapsed_ms, 2)},
    })
    record_http_exchange(context, answer.method, path, answer.status, request_body, answer.body,
                         headers={"X-Caller": caller})


# -- sessions cached on the context ------------------------------------------------------------------------------

def _sessions(context: Any) -> dict[tuple[str, str], ApiSession]:
    if not hasattr(context, "api_sessions"):
        context.api_sessions = {}
    return context.api_sessions


def keep_session(context: Any, user: Any, session: ApiSession, *, remote_addr: str = DEFAULT_REMOTE_ADDR) -> None:
    """From now on, ``session_for(user)`` is this session (one the user signed in to with a password)."""
    _sessions(context)[(user.email, remote_addr)] = session


def session_for(context: Any, user: Any, *, remote_addr: str = DEFAULT_REMOTE_ADDR) -> ApiSession:
    """The user's in-process session, signed in with their API token."""
    key = (user.email, remote_addr)
    sessions = _sessions(context)
    if key not in sessions:
        sessions[key] = ApiSession(context, InProcessTransport(remote_addr)).use_token_of(user)
    return sessions[key]


def anonymous_session(context: Any, *, remote_addr: str = DEFAULT_REMOTE_ADDR) -> ApiSession:
    """A fresh in-process caller without credentials."""
    return ApiSession(context, InProcessTransport(remote_addr))


# -- PRS on a real socket -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LiveServer:
    base_url: str
    stop: Callable[[], None]

    def session(self, context: Any) -> ApiSession:
        transport = NetworkTransport(self.base_url)
        context.add_cleanup(transport.close)
        return ApiSession(context, transport)


def start_live_server(context: Any) -> LiveServer:
    """PRS's WSGI application on 127.0.0.1, an ephemeral port; stopped when the scenario ends.

    Each request runs in the server's own thread with its own database connection: it sees committed data only.
    """
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("127.0.0.1", static_handler=lambda application: application, port=0)
    thread.daemon = True
    thread.start()
    if not thread.is_ready.wait(LIVE_SERVER_START_SECONDS):
        thread.terminate()
        raise RuntimeError(f"the live PRS server did not start within {LIVE_SERVER_START_SECONDS:g} s")
    if thread.error is not None:
        raise RuntimeError(f"the live PRS server failed to start: {thread.error}") from thread.error
    server = LiveServer(f"http://127.0.0.1:{thread.port}", thread.terminate)
    context.add_cleanup(server.stop)
    return server


# -- the API description ------------------------------------------------------------------------------------------

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
UNDESCRIBED_VIEWS = ("SpectacularAPIView", "SpectacularSwaggerView")  # the description and its viewer


def api_routes() -> dict[str, set[str]]:
    """Every route under /api/ that Django's URL resolver serves, as an OpenAPI path template (``{id}``-style
    parameters) → its HTTP methods; the schema's own views left out."""
    import re

    from django.urls import URLResolver, get_resolver

    def walk(patterns: list[Any], prefix: str) -> Any:
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            else:
                yield route, pattern.callback

    routes: dict[str, set[str]] = {}
    for route, callback in walk(get_resolver().url_patterns, "/"):
        view = getattr(callback, "cls", None)
        if not route.startswith(API_ROOT) or view is None or view.__name__ in UNDESCRIBED_VIEWS:
            continue
        actions = getattr(callback, "actions", None)
        methods = (set(actions) if actions else {m for m in HTTP_METHODS if hasattr(view, m)}) & set(HTTP_METHODS)
        routes[re.sub(r"\(\?P<\w+>[^)]*\)", "{id}", route).replace("^", "")] = methods
    return routes


def description_problems(document: Mapping[str, Any]) -> list[str]:
    """What the OpenAPI document gets wrong: invalid OpenAPI 3, a served route or method it leaves out, an
    operation without a 401 answer, or an error answer that is not the one error body."""
    from drf_spectacular.validation import validate_schema

    problems: list[str] = []
    try:
        validate_schema(document)
    except Exception as error:  # noqa: BLE001 - jsonschema's ValidationError and friends, reported as text
        problems.append(f"not valid OpenAPI 3: {error}"[:800])
    if not str(document.get("openapi", "")).startswith("3."):
        problems.append(f"openapi version is {document.get('openapi')!r}, expected 3.x")
    paths = document.get("paths", {})
    for route, methods in sorted(api_routes().items()):
        described = paths.get(route)
        if described is None:
            problems.append(f"{route} is served but not described")
            continue
        for method in sorted(methods - set(described)):
            problems.append(f"{method.upper()} {route} is served but not described")
        for method in sorted(methods & set(described)):
            problems.extend(_error_answer_problems(f"{method.upper()} {route}", described[method]["responses"]))
    return problems


def _error_answer_problems(operation: str, responses: Mapping[str, Any]) -> list[str]:
    problems = [] if "401" in responses else [f"{operation} does not describe its 401 answer"]
    for code, response in responses.items():
        if int(code) < 400:
            continue
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        if not str(schema.get("$ref", "")).endswith("/Error"):
            problems.append(f"{operation} answers {code} without the Error body (schema {schema})")
    return problems
