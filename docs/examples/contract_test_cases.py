"""Seed example "Using Test Cases" (imports adapted; the class names its services). Runs the case with Django's
test runner: .venv/bin/python docs/examples/contract_test_cases.py"""
import os
import sys
import unittest

from contract_example_services import MyClientService, ServiceContract

from support.contracts import ServiceIntegrationTestCase


def example_services():
    contract = ServiceContract(service_name="client_service", required_methods=["create", "get"],
                               expected_inputs={"create": ["client_name", "email"], "get": ["client_id"]})
    return [contract], {"client_service": MyClientService()}


class MyServiceIntegrationTest(ServiceIntegrationTestCase):
    service_provider = example_services

    def test_my_service_integration(self):
        """Test my service integration"""
        # Test setup is handled by parent class

        # Your integration test logic here
        client_service = self.framework.services['client_service']
        result = client_service.create({
            'client_name': 'Test Client',
            'email': 'test@example.com'
        })

        self.assertTrue(result.success)


if __name__ == "__main__":
    # What `python manage.py test ...` does, for a module outside the project's packages.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.prs.settings")
    import django
    from django.test.runner import DiscoverRunner

    django.setup()
    runner = DiscoverRunner(verbosity=1, interactive=False)  # never wait on a prompt (CI has no input)
    runner.setup_test_environment()
    databases = runner.setup_databases()
    try:
        outcome = runner.run_suite(unittest.defaultTestLoader.loadTestsFromTestCase(MyServiceIntegrationTest))
    finally:
        runner.teardown_databases(databases)
        runner.teardown_test_environment()
    sys.exit(0 if outcome.wasSuccessful() else 1)
