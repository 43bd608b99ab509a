"""Seed example "Service Implementation Testing" (imports adapted; the examples the framework exercises are added
to the seed's contract, and a deal service is registered so the pair exists).
Run: .venv/bin/python docs/examples/contract_implementation_testing.py"""
from contract_definition import client_contract, framework
from contract_example_services import MyClientService, MyDealService, add_examples, deal_contract

# Register service implementation
client_service = MyClientService()
framework.register_service_implementation("client_service", client_service)
add_examples(client_contract, client_service)
framework.register_service_contract(deal_contract(client_service))
framework.register_service_implementation("deal_service", MyDealService(client_service=client_service))

# Validate contract
result = framework.validate_service_contract("client_service")
assert result.contract_valid

# Test service integration
integration_result = framework.test_service_integration("client_service", "deal_service")
assert integration_result['success']

if __name__ == "__main__":
    print(f"client_service valid: {result.method_validations}; warnings: {result.warnings}")
    print(f"integration {integration_result['caller']} -> {integration_result['callee']}: "
          f"calls {integration_result['calls']}")
