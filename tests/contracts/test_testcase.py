"""ServiceIntegrationTestCase under pytest-django (collected here) and under `python manage.py test`."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support.contracts import ServiceIntegrationTestCase
from tests.child_processes import child_env


class PrsServicesTestCase(ServiceIntegrationTestCase):
    service_provider = "support.prs.contracts:service_provider"

    def test_the_framework_is_ready_with_every_prs_service(self):
        self.assertEqual(sorted(self.framework.services), sorted(self.framework.contracts))
        self.assertEqual(len(self.framework.services), 6)

    def test_client_service_honours_its_contract(self):
        self.assertContractValid("client_service")

    def test_deal_service_calls_audit(self):
        self.assertIntegrates("deal_service", "audit_service")


class BrokenProviderTestCase(ServiceIntegrationTestCase):
    service_provider = "support.prs.contracts"  # no function: a clear error, not a silent empty framework

    def setUp(self):
        with pytest.raises(ValueError, match="must be a callable or 'package.module:function'"):
            super().setUp()


class AssertionsFailTestCase(ServiceIntegrationTestCase):
    service_provider = "support.prs.contracts:service_provider"

    def test_assert_contract_valid_fails_on_a_broken_service(self):
        from support.contracts import ContractDouble

        audit_double = ContractDouble(self.framework.contracts["audit_service"])
        self.framework.register_service_implementation("notification_service", audit_double)
        with self.assertRaises(AssertionError) as failure:
            self.assertContractValid("notification_service")
        self.assertIn("method 'notify' is missing", str(failure.exception))


@pytest.mark.slow
def test_the_case_runs_under_manage_py_test():
    root = Path(__file__).resolve().parents[2]
    env = child_env("contracts_manage")
    completed = subprocess.run(
        [sys.executable, "manage.py", "test", "tests.contracts.test_testcase.PrsServicesTestCase", "-v", "2"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Ran 3 tests" in completed.stderr
