"""The PRS framework's test data, and the seed's examples run as scripts (exit 0, report in the seed's shape)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support.prs.integration import PRSIntegrationFramework
from tests.child_processes import child_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def framework(db: None) -> PRSIntegrationFramework:
    return PRSIntegrationFramework()


def test_test_data_goes_through_prs(framework: PRSIntegrationFramework) -> None:
    client = framework.create_test_client({"client_name": "Custom Test Client", "email": "custom@test.com"})
    deal = framework.create_test_deal(client)
    payment = framework.create_test_payment(deal, {"approved": True})
    assert (client.name, client.organization) == ("Custom Test Client", framework.test_organization)
    assert deal.deal_id == "DLID0001" and deal.salesperson == framework.test_users["salesperson"]
    assert payment.transaction_id == "TXN-0001" and payment.invoice.amount == payment.amount
    assert payment.approval.verifier == framework.test_users["verifier"]
    assert {role: user.role for role, user in framework.test_users.items()} == {
        "salesperson": "salesperson", "verifier": "verifier", "admin": "org_admin"}
    assert {u.organization for u in framework.test_users.values()} == {framework.test_organization}


def test_every_attempt_gets_fresh_test_data(framework: PRSIntegrationFramework) -> None:
    first_org, first_seller = framework.test_organization, framework.test_users["salesperson"]
    assert framework.test_organization is first_org  # stable within an attempt
    framework.begin_scenario(None)  # type: ignore[arg-type]
    assert framework.test_organization != first_org
    assert framework.test_users["salesperson"] != first_seller


def test_bad_test_data_is_named(framework: PRSIntegrationFramework) -> None:
    with pytest.raises(ValueError, match=r"create_test_client: unknown field\(s\) \['colour'\]"):
        framework.create_test_client({"colour": "red"})
    with pytest.raises(KeyError, match="no role 'boss'"):
        framework.test_users["boss"]  # noqa: B018
    with pytest.raises(TypeError, match="create_test_deal: client must be a Client"):
        framework.create_test_deal("client 1")  # type: ignore[arg-type]


def run_example(name: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    env = child_env("example", PRS_EXAMPLES_WORKDIR=str(workdir))
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the example sets Django up itself
    return subprocess.run([sys.executable, str(ROOT / "docs" / "examples" / name)], env=env, capture_output=True,
                          text=True, timeout=300)


def assert_seed_shape(report: dict) -> None:
    summary = report["summary"]
    for key in ("total_scenarios", "successful", "failed", "success_rate", "total_duration_seconds", "start_time",
                "end_time"):
        assert key in summary, key
    for result in report["results"]:
        for key in ("scenario_name", "success", "duration_seconds", "metadata"):
            assert key in result, key
        performance = result["metadata"]["performance_data"]
        assert "memory_change_mb" in performance and "database_changes" in performance, performance
    for key in ("total_memory_change_mb", "peak_memory_mb", "database_growth"):
        assert key in report["performance_analysis"], key
    assert isinstance(report["recommendations"], list)


def test_custom_scenario_example_runs(tmp_path: Path) -> None:
    done = run_example("custom_scenario.py", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((tmp_path / "reports" / "report.json").read_text())
    assert_seed_shape(report)
    assert [(r["scenario_name"], r["status"]) for r in report["results"]] == [("custom_test", "passed")]
    changes = report["results"][0]["metadata"]["performance_data"]["database_changes"]
    assert changes, "the custom scenario made clients, deals and payments through PRS"


def test_basic_usage_example_runs(tmp_path: Path) -> None:
    done = run_example("basic_usage.py", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((tmp_path / "reports" / "report.json").read_text())  # the last run: parallel
    assert_seed_shape(report)
    assert report["summary"]["parallel"] is True
    statuses = {r["scenario_name"]: r["status"] for r in report["results"]}
    assert statuses == dict.fromkeys([
        "complete_sales_workflow", "api_integration", "multi_user_concurrent", "notification_system_integration",
        "financial_calculations_accuracy", "security_audit_trail", "performance_under_load",
        "cross_service_integration"], "passed"), statuses
    assert "workflow/core: {'total_scenarios': 2" in done.stdout
