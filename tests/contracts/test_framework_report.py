"""run_comprehensive_service_tests gives the seed's report shape, with rates that fall when a service breaks."""
from __future__ import annotations

from tests.contracts import toy_services as toy


def test_the_report_has_the_seed_shape_and_full_rates_for_correct_services(make_framework):
    report = make_framework().run_comprehensive_service_tests()
    assert set(report) >= {"contract_validations", "integration_tests", "performance_tests", "error_handling_tests",
                           "summary"}
    assert report["contract_validations"]["note_service"]["method_validations"] == {
        "create": True, "get": True, "list": True}
    assert report["integration_tests"]["note_service_audit_service"]["integration_result"]["interaction_tested"]
    assert report["performance_tests"]["note_service"]["create_success"] is True
    assert "create_time_ms" in report["performance_tests"]["note_service"]
    assert report["error_handling_tests"]["note_service"]["invalid_id"]["handled_gracefully"] is True
    summary = report["summary"]
    assert summary["contract_validation"] == {"total": 2, "passed": 2, "failed": 0, "success_rate": 100.0}
    assert summary["integration_tests"]["success_rate"] == 100
    assert summary["error_handling_tests"]["success_rate"] == 100


def test_rates_fall_when_a_service_breaks(make_framework):
    report = make_framework(toy.RaisingNoteService).run_comprehensive_service_tests()
    summary = report["summary"]
    assert summary["contract_validation"]["success_rate"] == 50.0
    assert summary["error_handling_tests"]["failed"] == 1
    assert report["error_handling_tests"]["note_service"]["invalid_id"]["detail"].startswith("raised KeyError")


def test_a_contract_without_implementation_is_reported_not_skipped(make_framework):
    framework = make_framework()
    del framework.services["audit_service"]
    report = framework.run_comprehensive_service_tests()
    assert report["contract_validations"]["audit_service"]["errors"] == ["audit_service: no implementation"]
    assert report["summary"]["contract_validation"]["success_rate"] == 50.0
