"""The real PRS services against their contracts: every check passes, every pair integrates."""
from __future__ import annotations

import pytest

from prs.common.results import ErrorCode
from support.prs import contracts as prs_contracts

pytestmark = pytest.mark.django_db

SERVICES = list(prs_contracts.CONTRACT_BUILDERS)


@pytest.fixture
def framework():
    return prs_contracts.prs_framework()


def test_the_contracts_use_real_error_codes():
    codes = {spec.code for c in prs_contracts.prs_contracts() for spec in c.errors.values()}
    assert codes <= {code.value for code in ErrorCode}, codes


def test_every_service_has_a_contract_derived_from_its_protocol():
    from prs.services import SERVICE_CLASSES

    assert set(SERVICES) == set(SERVICE_CLASSES)
    for contract in prs_contracts.prs_contracts():
        assert list(contract.dependencies) == list(SERVICE_CLASSES[contract.service_name].dependencies)
        assert set(contract.examples) == set(contract.required_methods), contract.service_name
        assert set(contract.probes) == set(contract.error_conditions), contract.service_name


@pytest.mark.parametrize("service", SERVICES)
def test_each_prs_service_honours_its_contract(framework, service):
    result = framework.validate_service_contract(service)
    assert result.contract_valid, "\n".join(result.errors)
    assert all(result.method_validations.values())
    assert all(run.handled_gracefully for run in result.error_handling.values())


@pytest.mark.parametrize(("caller", "callee"), [
    (c.service_name, d) for c in prs_contracts.prs_contracts() for d in c.dependencies])
def test_each_dependency_pair_integrates(framework, caller, callee):
    report = framework.test_service_integration(caller, callee)
    assert report["success"], report["errors"]
    assert report["calls"]
