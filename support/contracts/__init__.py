"""Service contracts: declare, derive, validate, double, evolve and document the contracts of any services.

Generic: nothing here knows PRS (its contracts live in support/prs/contracts.py).
"""
from __future__ import annotations

from typing import Any

from support.contracts.contract import Budget, Call, ErrorSpec, MethodSpec, ParamSpec, ServiceContract
from support.contracts.derive import contract_from_protocol
from support.contracts.docs import contract_markdown, write_contract_docs
from support.contracts.doubles import ContractDouble, ContractResult
from support.contracts.evolution import Change, ContractComparison, compare_contracts
from support.contracts.exchange import compare_with_file, export_contract_set, load_contract_set
from support.contracts.framework import ServiceIntegrationTestFramework
from support.contracts.graph import dependency_cycles
from support.contracts.recording import CallLog, RecordingProxy
from support.contracts.validation import CHECK_KINDS, ContractValidationResult, ContractValidator

__all__ = [
    "CHECK_KINDS", "Budget", "Call", "CallLog", "Change", "ContractComparison", "ContractDouble", "ContractResult",
    "ContractValidationResult", "ContractValidator", "ErrorSpec", "MethodSpec", "ParamSpec", "RecordingProxy",
    "ServiceContract", "ServiceIntegrationTestCase", "ServiceIntegrationTestFramework", "compare_contracts",
    "compare_with_file", "contract_from_protocol", "contract_markdown", "dependency_cycles", "export_contract_set",
    "load_contract_set", "write_contract_docs",
]


def __getattr__(name: str) -> Any:
    # django.test is imported only when the TestCase is asked for, so the rest works without Django settings.
    if name == "ServiceIntegrationTestCase":
        from support.contracts.testcase import ServiceIntegrationTestCase

        return ServiceIntegrationTestCase
    raise AttributeError(f"module 'support.contracts' has no attribute {name!r}")
