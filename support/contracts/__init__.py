"""Service contracts: declare, derive, validate, double, evolve and document the contracts of any services.

Generic: nothing here knows PRS (its contracts live in support/prs/contracts.py).
"""
from __future__ import annotations

from typing import Any

from support.contracts.answers import judge_refusal
from support.contracts.contract import Budget, Call, ErrorSpec, MethodSpec, ParamSpec, ServiceContract
from support.contracts.derive import contract_from_protocol
from support.contracts.docs import contract_markdown, write_contract_docs
from support.contracts.doubles import ContractDouble, ContractResult, FailureDouble
from support.contracts.evolution import Change, ContractComparison, compare_contracts
from support.contracts.exchange import compare_with_file, export_contract_set, load_contract_set
from support.contracts.framework import ServiceIntegrationTestFramework
from support.contracts.graph import dependency_cycles
from support.contracts.outcomes import CHECK_KINDS, ContractValidationResult
from support.contracts.probes import (
    INVALID_DATA,
    INVALID_ID,
    MISSING_REQUIRED_FIELDS,
    Probe,
    custom,
    invalid,
    invalid_id,
    missing,
)
from support.contracts.recording import CallLog, RecordingProxy, record_services
from support.contracts.validation import ContractValidator

__all__ = [
    "CHECK_KINDS", "INVALID_DATA", "INVALID_ID", "MISSING_REQUIRED_FIELDS", "Budget", "Call", "CallLog", "Change",
    "ContractComparison", "ContractDouble", "ContractResult", "ContractValidationResult", "ContractValidator",
    "ErrorSpec", "FailureDouble", "MethodSpec", "ParamSpec", "Probe", "RecordingProxy", "ServiceContract",
    "ServiceIntegrationTestCase", "ServiceIntegrationTestFramework", "compare_contracts", "compare_with_file",
    "contract_from_protocol", "contract_markdown", "custom", "dependency_cycles", "export_contract_set", "invalid",
    "invalid_id", "judge_refusal", "load_contract_set", "missing", "record_services", "write_contract_docs",
]


def __getattr__(name: str) -> Any:
    # django.test is imported only when the TestCase is asked for, so the rest works without Django settings.
    if name == "ServiceIntegrationTestCase":
        from support.contracts.testcase import ServiceIntegrationTestCase

        return ServiceIntegrationTestCase
    raise AttributeError(f"module 'support.contracts' has no attribute {name!r}")
