"""The seed's names in one place: `from support.framework import TestScenario, TestResult, integration_framework`.

`integration_framework` is the PRS framework (engine + PRS test data and assertions). Django must be set
up first (DJANGO_SETTINGS_MODULE=support.prs.settings, then `django.setup()`): the PRS half imports PRS's models.
"""
from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from support.engine import Status, TestResult, TestScenario, assert_performance_within_limits

if not apps.ready:
    raise ImproperlyConfigured(
        "support.framework imports PRS's models: set DJANGO_SETTINGS_MODULE=support.prs.settings and call "
        "django.setup() before importing it"
    )

from support.prs.consistency import ConsistencyError  # noqa: E402
from support.prs.integration import PRSIntegrationFramework  # noqa: E402
from support.prs.isolation import IsolationError  # noqa: E402

integration_framework = PRSIntegrationFramework()

__all__ = [
    "ConsistencyError",
    "IsolationError",
    "PRSIntegrationFramework",
    "Status",
    "TestResult",
    "TestScenario",
    "assert_performance_within_limits",
    "integration_framework",
]
