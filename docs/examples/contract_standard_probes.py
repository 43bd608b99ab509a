"""The seed's contract, exactly as written, against two client services: one that raises on missing fields and
on every id, and MyClientService, which refuses bad input with a failed result. No example calls are needed:
the standard probes come from `expected_inputs` and the signatures.
Run: .venv/bin/python docs/examples/contract_standard_probes.py"""
import json

from contract_definition import client_contract
from contract_example_services import MyClientService

from support.contracts import ServiceIntegrationTestFramework


class RaisingClientService(MyClientService):
    """create raises KeyError on a missing field; get, update and delete raise ValueError on everything."""

    def create(self, data):
        return super().create({"client_name": data["client_name"], "email": data["email"]})

    def get(self, client_id):
        raise ValueError(f"cannot look up {client_id!r}")

    update = delete = get


def report_for(service):
    framework = ServiceIntegrationTestFramework()
    framework.register_service_contract(client_contract)
    framework.register_service_implementation("client_service", service)
    return framework.run_comprehensive_service_tests()


raising = report_for(RaisingClientService())
assert not raising["contract_validations"]["client_service"]["valid"]
assert raising["summary"]["ok"] is False

graceful = report_for(MyClientService())
assert graceful["contract_validations"]["client_service"]["valid"]
assert set(graceful["error_handling_tests"]["client_service"]) == {
    "invalid_data", "missing_required_fields", "invalid_id"}
assert graceful["summary"]["ok"] is True

if __name__ == "__main__":
    print("raising service:")
    for error in raising["contract_validations"]["client_service"]["errors"][:4]:
        print(f"  {error}")
    print("graceful service, error_handling_tests:")
    print(json.dumps({probe: entry["handled_gracefully"]
                      for probe, entry in graceful["error_handling_tests"]["client_service"].items()}, indent=2))
    print("graceful service, performance_tests:")
    print(json.dumps(graceful["performance_tests"]["client_service"], indent=2))
