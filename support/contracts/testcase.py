"""The seed's ServiceIntegrationTestCase: a django.test.TestCase with a ready framework in `self.framework`.

Runs under `python manage.py test` and pytest-django. Which services it loads is configured per class:
`service_provider` is a callable (or "module:function" path) returning
(contracts, implementations) — an iterable of ServiceContract and a mapping name -> implementation —
called in setUp, inside the test's transaction, so implementations may touch the database.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from django.test import TestCase

from support.contracts.contract import ServiceContract
from support.contracts.framework import ServiceIntegrationTestFramework

Provider = Callable[[], tuple[Iterable[ServiceContract], Mapping[str, Any]]]


def load_provider(provider: Provider | str) -> Provider:
    if callable(provider):
        return provider
    module, _, name = str(provider).partition(":")
    if not module or not name:
        raise ValueError(f"service_provider {provider!r} must be a callable or 'package.module:function'")
    return getattr(importlib.import_module(module), name)


def _class_attribute(klass: type, name: str) -> Any:
    """The attribute as written in the class body: a plain function there must not become a bound method."""
    for owner in klass.__mro__:
        if name in vars(owner):
            value = vars(owner)[name]
            return value.__func__ if isinstance(value, staticmethod) else value
    return None


class ServiceIntegrationTestCase(TestCase):
    service_provider: ClassVar[Provider | str | None] = None
    isolate: ClassVar[bool] = False

    def setUp(self) -> None:
        super().setUp()
        self.framework = ServiceIntegrationTestFramework(isolate=self.isolate)
        provider = _class_attribute(type(self), "service_provider")
        if provider is None:
            return
        contracts, implementations = load_provider(provider)()
        self.framework.register_service_contracts(contracts)
        for name, implementation in implementations.items():
            self.framework.register_service_implementation(name, implementation)

    def assertContractValid(self, service_name: str) -> None:  # noqa: N802 - unittest naming
        result = self.framework.validate_service_contract(service_name)
        if not result.contract_valid:
            self.fail(f"{service_name} breaks its contract:\n  " + "\n  ".join(result.errors))

    def assertIntegrates(self, service_a: str, service_b: str) -> None:  # noqa: N802
        report = self.framework.test_service_integration(service_a, service_b)
        if not report["success"]:
            self.fail(f"{service_a} x {service_b} integration failed:\n  " + "\n  ".join(report["errors"]))
