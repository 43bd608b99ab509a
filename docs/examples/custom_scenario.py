"""The seed's "Custom Test Scenarios", runnable: `.venv/bin/python docs/examples/custom_scenario.py`.

Exit status 1 when the custom scenario did not pass.
"""
import _django

_django.setup()

from support.framework import TestScenario, integration_framework  # noqa: E402


def my_custom_test_scenario(framework):
    """Custom test scenario"""
    # Create test data
    client = framework.create_test_client({
        'client_name': 'Custom Test Client',
        'email': 'custom@test.com'
    })

    # Test logic
    assert client is not None

    # Performance assertions
    with framework.assert_performance_within_limits(max_duration_seconds=10.0):
        deal = framework.create_test_deal(client)
        payment = framework.create_test_payment(deal)  # noqa: F841 - as in the seed

    # Database consistency checks
    framework.assert_database_consistency()
    framework.assert_organization_data_isolation()


# Register custom scenario
scenario = TestScenario(
    name="custom_test",
    description="Custom integration test",
    test_function=my_custom_test_scenario,
    tags=['custom', 'integration']
)

integration_framework.register_scenario(scenario)

report = integration_framework.run_all_scenarios(tags=['custom'])
print(report["summary"])
for result in report["results"]:
    print(f"{result['scenario_name']}: {result['status']} {result['error'] or ''}")
raise SystemExit(0 if report["summary"]["successful"] == report["summary"]["total_scenarios"] else 1)
