"""Seed example "Running Service Tests" (imports adapted).
Run: .venv/bin/python docs/examples/contract_running_service_tests.py"""
import json

from contract_implementation_testing import framework

# Run comprehensive service tests
results = framework.run_comprehensive_service_tests()

# Check results
summary = results['summary']
assert summary['contract_validation']['success_rate'] == 100
assert summary['integration_tests']['success_rate'] == 100

if __name__ == "__main__":
    print(json.dumps(summary, indent=2))
