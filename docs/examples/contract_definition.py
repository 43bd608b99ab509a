"""Seed example "Contract Definition" (imports adapted). Run: .venv/bin/python docs/examples/contract_definition.py"""
from contract_example_services import ServiceContract  # noqa: F401 - puts the repo root on sys.path

from support.contracts import ServiceContract, ServiceIntegrationTestFramework  # noqa: F811

# Define service contract
client_contract = ServiceContract(
    service_name="client_service",
    required_methods=["create", "get", "update", "delete", "list"],
    expected_inputs={
        "create": ["client_name", "email"],
        "get": ["client_id"]
    },
    expected_outputs={
        "create": "ServiceResult with client data",
        "get": "ServiceResult with client data"
    },
    error_conditions=["Missing required fields", "Invalid client_id"],
    dependencies=[]
)

# Register contract
framework = ServiceIntegrationTestFramework()
framework.register_service_contract(client_contract)

if __name__ == "__main__":
    print(f"registered {sorted(framework.contracts)}: version {client_contract.version}, "
          f"methods {client_contract.required_methods}")
