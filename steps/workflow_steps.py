"""Steps of features/complete_sales_workflow.feature: invoices, the audit trail in order, who was told what,
final payment decisions and the deal's verification transitions. Shared steps: common_steps.py."""
from __future__ import annotations

from behave import given, then, when

from prs.audit.models import AuditLog
from prs.common.results import ErrorCode
from prs.deals.models import Deal, Invoice, VerificationStatus
from prs.notifications.models import Notification
from support.prs import api_client as api
from support.prs import steps_support as s


@then("the payment has an invoice for {amount:Money}")
def step_payment_invoice(context, amount):
    payment = s.the_payment(context)
    invoice = Invoice.objects.filter(payment=payment).first()
    assert invoice is not None, f"payment {payment.transaction_id} has no invoice"
    assert invoice.amount == amount, f"invoice {invoice.invoice_id} is for {invoice.amount}, expected {amount}"


@then('the audit trail of "{org}" shows, in order, these actions')
@then('the audit trail of "{org}" shows, in order, these actions:')
def step_audit_actions(context, org):
    """Exactly the table's entries, oldest first; "object" is the model name (client, deal, payment…)."""
    entries = AuditLog.objects.filter(organization=s.organization(context, org)).order_by("id")
    actual = [(entry.action, entry.object_type.rsplit(".", 1)[-1]) for entry in entries]
    expected = [(row["action"], row["object"]) for row in context.table]
    assert actual == expected, f"the audit trail of {org} holds {actual}, expected {expected}"


@then("these notifications have been sent")
@then("these notifications have been sent:")
def step_notifications_sent(context):
    """Exactly the table's notifications to the scenario's people, oldest first."""
    names = {person.pk: name for name, person in context.users.items()}
    sent = Notification.objects.filter(recipient_id__in=names).order_by("id")
    actual = [(names[note.recipient_id], note.notification_type) for note in sent]
    expected = [(row["recipient"], row["kind"]) for row in context.table]
    assert actual == expected, f"PRS sent {actual}, expected {expected}"


@then("the second decision is refused as a conflict")
def step_second_decision_conflict(context):
    first, second = context.results[-2:]
    assert first.success, f"the first decision was refused: {s.describe(first)}"
    s.expect_failure(second, ErrorCode.CONFLICT, "status")  # the payment's status is what forbids it


@given("the deal's verification is \"{status}\"")
def step_deal_verification_is(context, status):
    """Arranged by an admin of the deal's organization; "pending" is where every deal starts."""
    deal = s.the_deal(context)
    if status != VerificationStatus.PENDING:
        admin = s.a_member(context, deal.organization_id, "admin")
        s.expect_success(s.service(context, "deal_service").verify(admin, deal.pk, status), f"verifying as {status}")
    assert s.the_deal(context).verification_status == status


@when("\"{verifier}\" sets the deal's verification to \"{status}\"")
def step_sets_verification(context, verifier, status):
    deal = s.the_deal(context)
    context.verification_change = (deal.verification_status, status)
    path = api.detail_path("deals", deal.pk, "verify")
    s.remember_result(context, s.through_api(context, s.user(context, verifier), path, {"status": status}, Deal))


@then("the change is accepted")
def step_change_accepted(context):
    _, wanted = context.verification_change
    assert context.result.success, f"the change was refused: {s.describe(context.result)}"
    assert s.the_deal(context).verification_status == wanted


@then("the change is refused as invalid, naming the status")
def step_change_invalid(context):
    before, _ = context.verification_change
    s.expect_failure(context.result, ErrorCode.VALIDATION, "status")
    assert s.the_deal(context).verification_status == before, "the refused change was applied anyway"


@then("the change is refused")
def step_change_refused(context):
    before, _ = context.verification_change
    s.expect_failure(context.result, ErrorCode.CONFLICT, "status")
    assert s.the_deal(context).verification_status == before, "the refused change was applied anyway"
