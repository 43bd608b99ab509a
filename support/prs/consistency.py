"""PRS's data invariants, checked in the database with set-based queries.

`find_violations()` returns every violation; `assert_database_consistency()` raises `ConsistencyError`
listing them all. Both take `changed_tables`: only the rules that read one of those tables run (None: every
rule). After a scenario that started from consistent data, a rule over tables it did not write cannot have
become false, so the engine hands over the tables the scenario wrote. Each violation names the rule, the
model, the primary key, the human id (DLID0001, TXN-0001, INV-0001, an email…) and the values that break
the rule.

The rules (what PRS's services guarantee, restated independently of them):
- organizations agree: a client's creator, a deal's client and salesperson, a payment's deal and recorder,
  an invoice's payment, an approval's verifier (superusers excepted: PRS lets them decide), a
  commission's user and a notification's recipient all belong to the object's organization;
- no deal is overpaid: the non-rejected payments of a deal sum to at most its value;
- each deal's payment_status and progress are what the verified amounts of its approved payments say;
- every payment has its invoice, for the payment's amount (the one-to-one makes it at most one);
- every decided payment has its approval and every approval's decision is the payment's status; the
  approver is a verifier or org admin (or a superuser) who did not record the payment and verified at
  most the payment's amount;
- every commission equals its recomputation: sales = verified amounts of the user's approved payments
  dated in the period; commission = sales x rate / 100 x exchange rate; total = commission + bonus;
  receivable = total - penalty; each rounded half-up to the cent — recomputed here, not by PRS's code;
- the audit hash chains are intact: each entry's previous_hash is the entry_hash of the entry before it in
  its organization's chain (checked in SQL for every entry), and its entry_hash matches its content;
- foreign keys hold at the database level (SQLite: PRAGMA foreign_key_check; PostgreSQL: deferred
  constraints checked now with SET CONSTRAINTS ALL IMMEDIATE inside a savepoint).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.db import DatabaseError, connections, models, transaction
from django.db.models import Case, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value, When, Window
from django.db.models.functions import Abs, Coalesce, Lag

from prs.accounts.models import Role
from prs.audit.chain import entry_hash
from prs.audit.models import AuditLog, SecurityEvent, SecurityEventType, Severity
from prs.clients.models import Client
from prs.commissions.models import Commission
from prs.deals.models import Approval, Deal, Invoice, Payment, PaymentDecision, PaymentStatus
from prs.notifications.models import Notification

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0.00")
MAX_LISTED = 50  # violations beyond this many per rule are counted, not listed
APPROVER_ROLES = (Role.VERIFIER, Role.ORG_ADMIN)


@dataclass(frozen=True)
class Violation:
    rule: str
    model: str  # app_label.Model
    pk: Any
    human_id: str
    values: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        shown = ", ".join(f"{key}={_show(value)}" for key, value in self.values.items())
        return f"{self.rule}: {self.model} pk={self.pk} ({self.human_id}){': ' + shown if shown else ''}"


class ConsistencyError(AssertionError):
    """PRS's data breaks its invariants; `violations` lists every one."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        rules = sorted({v.rule for v in violations})
        lines = [v.describe() for v in violations]
        super().__init__(
            f"{len(violations)} database consistency violation(s) ({', '.join(rules)}):\n  " + "\n  ".join(lines)
        )


def _show(value: Any) -> str:
    return str(value) if isinstance(value, Decimal) else repr(value) if isinstance(value, str) else str(value)


def money(value: Any) -> Decimal:
    """Half-up to the cent. SQLite may hand sums back as floats: go through str so no binary noise stays."""
    return Decimal(str(value if value is not None else 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _label(model: type[models.Model]) -> str:
    return model._meta.label


# --- queries compiled once ----------------------------------------------------------------------------
# The rules run after every scenario that wrote their tables, on small data: building and compiling the ORM
# query cost several times what running it does. Each rule's query is therefore compiled once per database
# connection and re-run as the same SQL, its rows still going through Django's converters (Decimals, dates,
# booleans as the ORM would give them).
_compiled: dict[tuple[int, str, str], tuple[Any, str, tuple[Any, ...], list[str]]] = {}


def _rows(key: str, using: str, build: Callable[[], models.QuerySet]) -> list[tuple[Any, ...]]:
    """The rows of `build()` (a values()/values_list() queryset), as tuples in its field order."""
    return _run_compiled(key, using, build)[1]


def _dicts(key: str, using: str, build: Callable[[], models.QuerySet]) -> list[dict[str, Any]]:
    """The rows of `build()` (a values() queryset) as dicts, as values() gives them."""
    names, rows = _run_compiled(key, using, build)
    return [dict(zip(names, row, strict=True)) for row in rows]


def _run_compiled(key: str, using: str, build: Callable[[], models.QuerySet]) -> tuple[list[str], list[tuple]]:
    connection = connections[using]
    entry = _compiled.get((id(connection), connection.vendor, key))
    if entry is None:
        query = build().query
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        entry = _compiled[(id(connection), connection.vendor, key)] = (compiler, sql, params, names)
    compiler, sql, params, names = entry
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    return names, list(compiler.results_iter([fetched], tuple_expected=True))


# --- organizations agree ------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrgRule:
    rule: str
    model: type[models.Model]
    org: str  # path to the object's organization id
    other: str  # path to the organization id that must equal it
    human: str  # path to the human id
    superuser_exempt: str | None = None  # path to an is_superuser flag that excuses a mismatch


ORG_RULES: tuple[OrgRule, ...] = (
    OrgRule("client_creator_organization", Client, "organization_id", "created_by__organization_id", "email",
            "created_by__is_superuser"),
    OrgRule("deal_client_organization", Deal, "organization_id", "client__organization_id", "deal_id"),
    OrgRule("deal_salesperson_organization", Deal, "organization_id", "salesperson__organization_id", "deal_id"),
    OrgRule("payment_deal_organization", Payment, "organization_id", "deal__organization_id", "transaction_id"),
    OrgRule("payment_recorder_organization", Payment, "organization_id", "recorded_by__organization_id",
            "transaction_id"),
    OrgRule("invoice_payment_organization", Invoice, "organization_id", "payment__organization_id", "invoice_id"),
    OrgRule("approval_verifier_organization", Approval, "payment__organization_id", "verifier__organization_id",
            "payment__transaction_id", "verifier__is_superuser"),
    OrgRule("commission_user_organization", Commission, "organization_id", "user__organization_id", "user__email"),
    OrgRule("notification_recipient_organization", Notification, "organization_id", "recipient__organization_id",
            "title"),
)


def organization_mismatches(using: str, rules: Iterable[OrgRule] = ORG_RULES) -> Iterator[Violation]:
    """One query for all the given rules (UNION ALL of one SELECT per rule, each row tagged with its rule)."""
    rules = tuple(rules)
    if not rules:
        return

    def build() -> models.QuerySet:
        parts = []
        for index, rule in enumerate(rules):
            rows = rule.model._base_manager.using(using).exclude(**{rule.org: F(rule.other)})
            if rule.superuser_exempt:
                rows = rows.exclude(**{rule.superuser_exempt: True})
            parts.append(rows.order_by().values("pk", rule.human, rule.org, rule.other).annotate(
                rule_index=Value(index, output_field=models.IntegerField())))
        return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]

    listed: Counter[int] = Counter()
    rows = _rows("organizations:" + ",".join(r.rule for r in rules), using, build)
    for pk, human, org, other, index in sorted(rows, key=lambda row: row[4]):  # rule by rule, as listed
        listed[index] += 1
        if listed[index] > MAX_LISTED:
            continue
        rule = rules[index]
        yield Violation(rule.rule, _label(rule.model), pk, str(human), {rule.org: org, rule.other: other})


def path_tables(model: type[models.Model], *paths: str) -> frozenset[str]:
    """The tables a lookup path such as 'deal__salesperson_id' reads, the model's own included."""
    tables = {model._meta.db_table}
    for path in paths:
        current = model
        for part in path.split("__")[:-1]:
            current = current._meta.get_field(part).related_model
            tables.add(current._meta.db_table)
    return frozenset(tables)


# --- deals: no overpayment, derived payment status ----------------------------------------------------

def deal_payment_figures(using: str) -> Iterator[Violation]:
    """One query. SQL keeps only suspect deals (overpaid, a status or a progress off by more than rounding);
    each suspect is then judged exactly in Decimal, so backend arithmetic never decides a violation."""
    for pk, deal_id, value, committed_sum, paid_sum, payment_status, progress in _rows(
            "deal_payment_figures", using, lambda: _suspect_deals(using)):
        value, committed_sum, paid_sum = money(value), money(committed_sum), money(paid_sum)
        if committed_sum > value:
            yield Violation("deal_overpaid", _label(Deal), pk, deal_id,
                            {"value": value, "non_rejected_payments": committed_sum})
        expected_status = (PaymentStatus.NOT_PAID if paid_sum <= 0 else
                           PaymentStatus.FULLY_PAID if paid_sum >= value else PaymentStatus.PARTIALLY_PAID)
        expected_progress = min(HUNDRED, (paid_sum * HUNDRED / value).quantize(CENT, rounding=ROUND_HALF_UP))
        if payment_status != expected_status or money(progress) != expected_progress:
            yield Violation("deal_payment_status", _label(Deal), pk, deal_id, {
                "value": value, "approved_verified": paid_sum, "payment_status": payment_status,
                "expected_status": str(expected_status), "progress": money(progress),
                "expected_progress": expected_progress,
            })


def _suspect_deals(using: str) -> models.QuerySet:
    paid = Coalesce(Sum("payments__approval__verified_amount", filter=Q(payments__status=PaymentDecision.APPROVED)),
                    Value(ZERO), output_field=models.DecimalField(max_digits=20, decimal_places=2))
    committed = Coalesce(Sum("payments__amount", filter=~Q(payments__status=PaymentDecision.REJECTED)),
                         Value(ZERO), output_field=models.DecimalField(max_digits=20, decimal_places=2))
    status = Case(When(paid__lte=0, then=Value(PaymentStatus.NOT_PAID.value)),
                  When(paid__gte=F("value"), then=Value(PaymentStatus.FULLY_PAID.value)),
                  default=Value(PaymentStatus.PARTIALLY_PAID.value), output_field=models.CharField())
    # |progress - paid x 100 / value| <= 0.005, multiplied out by value (> 0).
    drift = Abs(F("progress") * F("value") - F("paid") * HUNDRED) - F("value") * Decimal("0.005")
    suspects = Deal._base_manager.using(using).annotate(paid=paid, committed=committed).annotate(
        expected_status=status, drift=ExpressionWrapper(drift, output_field=models.DecimalField())
    ).filter(Q(committed__gt=F("value")) | ~Q(payment_status=F("expected_status")) | Q(drift__gt=0))
    return suspects.values_list("pk", "deal_id", "value", "committed", "paid", "payment_status",
                                "progress")[:MAX_LISTED]


# --- payments: invoice, approval ----------------------------------------------------------------------

def payment_invoices(using: str) -> Iterator[Violation]:
    def build() -> models.QuerySet:
        return Payment._base_manager.using(using).filter(
            Q(invoice__isnull=True) | ~Q(invoice__amount=F("amount"))
        ).values("pk", "transaction_id", "amount", "invoice__invoice_id", "invoice__amount")[:MAX_LISTED]

    for row in _dicts("payment_invoices", using, build):
        rule = "payment_without_invoice" if row["invoice__invoice_id"] is None else "invoice_amount"
        yield Violation(rule, _label(Payment), row["pk"], row["transaction_id"], {
            "amount": row["amount"], "invoice": row["invoice__invoice_id"], "invoice_amount": row["invoice__amount"],
        })


def payment_decisions(using: str) -> Iterator[Violation]:
    """A decided payment has its approval and the approval's decision is the payment's status."""
    def build() -> models.QuerySet:
        return Payment._base_manager.using(using).filter(
            (~Q(status=PaymentDecision.PENDING) & Q(approval__isnull=True))
            | (Q(approval__isnull=False) & ~Q(approval__decision=F("status")))
        ).values("pk", "transaction_id", "status", "approval__pk", "approval__decision")[:MAX_LISTED]

    for row in _dicts("payment_decisions", using, build):
        yield Violation("payment_decision", _label(Payment), row["pk"], row["transaction_id"], {
            "status": row["status"], "approval": row["approval__pk"], "approval_decision": row["approval__decision"],
        })


def approvers(using: str) -> Iterator[Violation]:
    """Approvals by an allowed role, not by the payment's recorder, for at most the payment's amount."""
    def build() -> models.QuerySet:
        not_allowed = ~Q(verifier__role__in=APPROVER_ROLES) & Q(verifier__is_superuser=False)
        own = Q(verifier_id=F("payment__recorded_by_id"))
        too_much = Q(verified_amount__gt=F("payment__amount"))
        return Approval._base_manager.using(using).filter(not_allowed | own | too_much).values(
            "pk", "payment__transaction_id", "verifier_id", "verifier__email", "verifier__role",
            "verifier__is_superuser", "payment__recorded_by_id", "verified_amount", "payment__amount",
        )[:MAX_LISTED]

    for row in _dicts("approvers", using, build):
        base = {"verifier": row["verifier__email"]}
        if row["verifier__role"] not in APPROVER_ROLES and not row["verifier__is_superuser"]:
            yield Violation("approval_by_role", _label(Approval), row["pk"], row["payment__transaction_id"],
                            {**base, "role": row["verifier__role"], "allowed": list(map(str, APPROVER_ROLES))})
        if row["verifier_id"] == row["payment__recorded_by_id"]:
            yield Violation("approval_by_recorder", _label(Approval), row["pk"], row["payment__transaction_id"],
                            {**base, "recorded_by": row["payment__recorded_by_id"]})
        if row["verified_amount"] is not None and row["verified_amount"] > row["payment__amount"]:
            yield Violation("approval_verified_more_than_paid", _label(Approval), row["pk"],
                            row["payment__transaction_id"],
                            {"verified_amount": row["verified_amount"], "payment_amount": row["payment__amount"]})


# --- commissions --------------------------------------------------------------------------------------

def commission_figures(sales: Decimal, rate: Decimal, exchange_rate: Decimal, bonus: Decimal,
                       penalty: Decimal) -> dict[str, Decimal]:
    """The commission formula, written here independently of PRS's own function."""
    commission = (sales * rate / HUNDRED * exchange_rate).quantize(CENT, rounding=ROUND_HALF_UP)
    total = (commission + bonus).quantize(CENT, rounding=ROUND_HALF_UP)
    return {"total_sales": sales, "commission_amount": commission, "total_commission": total,
            "total_receivable": (total - penalty).quantize(CENT, rounding=ROUND_HALF_UP)}


def commissions(using: str) -> Iterator[Violation]:
    for (pk, email, start, end, sales_value, rate, exchange_rate, bonus, penalty,
         *stored) in _rows("commissions", using, lambda: _commission_rows(using)):
        expected = commission_figures(money(sales_value), Decimal(rate), Decimal(exchange_rate), money(bonus),
                                      money(penalty))
        actual = dict(zip(expected, map(money, stored), strict=True))
        wrong = {name: (actual[name], expected[name]) for name in expected if actual[name] != expected[name]}
        if wrong:
            values: dict[str, Any] = {"period": f"{start}..{end}", "rate": rate, "exchange_rate": exchange_rate,
                                      "bonus": money(bonus), "penalty": money(penalty)}
            for name, (stored_value, expected_value) in wrong.items():
                values[name] = stored_value
                values[f"expected_{name}"] = expected_value
            yield Violation("commission_recomputation", _label(Commission), pk, email, values)


def _commission_rows(using: str) -> models.QuerySet:
    sales = (
        Payment._base_manager.using(using)
        .filter(organization_id=OuterRef("organization_id"), deal__salesperson_id=OuterRef("user_id"),
                status=PaymentDecision.APPROVED, payment_date__gte=OuterRef("period_start"),
                payment_date__lte=OuterRef("period_end"))
        .order_by().values("organization_id").annotate(total=Sum("approval__verified_amount")).values("total")
    )
    return Commission._base_manager.using(using).annotate(sales=Subquery(sales)).values_list(
        "pk", "user__email", "period_start", "period_end", "sales", "commission_rate", "exchange_rate", "bonus",
        "penalty", "total_sales", "commission_amount", "total_commission", "total_receivable",
    )


# --- audit chains -------------------------------------------------------------------------------------

def audit_chains(using: str) -> Iterator[Violation]:
    """Links in SQL (LAG over each organization's chain, every entry); content hashes in Python."""
    def linked() -> models.QuerySet:
        return AuditLog._base_manager.using(using).annotate(
            expected_previous=Coalesce(
                Window(Lag("entry_hash"), partition_by=[F("organization_id")], order_by=F("id").asc()), Value("")
            )
        ).exclude(previous_hash=F("expected_previous")).values("pk", "organization_id", "previous_hash",
                                                                 "expected_previous")[:MAX_LISTED]

    for row in _dicts("audit_chain_link", using, linked):
        yield Violation("audit_chain_link", _label(AuditLog), row["pk"], f"organization {row['organization_id']}",
                        {"previous_hash": row["previous_hash"], "expected_previous_hash": row["expected_previous"]})
    names = ("id", "organization_id", "actor_id", "action", "object_type", "object_id", "changes", "ip_address",
             "created_at", "previous_hash", "entry_hash")
    broken = 0
    for values in _rows("audit_entry_hash", using,
                        lambda: AuditLog._base_manager.using(using).order_by().values_list(*names)):
        entry = SimpleNamespace(**dict(zip(names, values, strict=True)))  # entry_hash reads attributes only
        if entry_hash(entry.previous_hash, entry) != entry.entry_hash:  # type: ignore[arg-type]
            broken += 1
            if broken <= MAX_LISTED:
                yield Violation("audit_entry_hash", _label(AuditLog), entry.id,
                                f"organization {entry.organization_id}",
                                {"action": entry.action, "object": f"{entry.object_type}#{entry.object_id}",
                                 "entry_hash": entry.entry_hash})


# --- security events ------------------------------------------------------------------------------------

# SEC-11: how serious each kind of security event is.
SEVERITY_BY_KIND = {SecurityEventType.LOGIN_FAILED: Severity.MEDIUM,
                    SecurityEventType.PERMISSION_DENIED: Severity.MEDIUM,
                    SecurityEventType.ACCOUNT_LOCKED: Severity.HIGH,
                    SecurityEventType.CROSS_ORGANIZATION_ACCESS: Severity.HIGH}


def security_events(using: str) -> Iterator[Violation]:
    """Each security event has its kind's severity and, with a user, that user's organization and email."""
    def build() -> models.QuerySet:
        wrong = Q()
        for kind, severity in SEVERITY_BY_KIND.items():
            wrong |= Q(event_type=kind) & ~Q(severity=severity)
        wrong |= ~Q(event_type__in=list(SEVERITY_BY_KIND))
        wrong |= Q(user__isnull=False) & ~Q(email=F("user__email"))
        wrong |= Q(user__organization__isnull=False) & ~Q(organization_id=F("user__organization_id"))
        wrong |= Q(user__isnull=False, user__organization__isnull=True, organization__isnull=False)
        return SecurityEvent.objects.using(using).filter(wrong).values(
            "pk", "event_type", "severity", "email", "organization_id", "user__email",
            "user__organization_id")[:MAX_LISTED]

    for row in _dicts("security_events", using, build):
        yield Violation("security_event", _label(SecurityEvent), row["pk"], f"event {row['pk']}", {
            "kind": row["event_type"], "severity": row["severity"],
            "expected_severity": SEVERITY_BY_KIND.get(row["event_type"]), "email": row["email"],
            "user_email": row["user__email"], "organization": row["organization_id"],
            "user_organization": row["user__organization_id"]})


# --- foreign keys -------------------------------------------------------------------------------------

def foreign_keys(using: str) -> Iterator[Violation]:
    connection = connections[using]
    if connection.vendor == "sqlite":
        yield from _sqlite_foreign_keys(using)
    elif connection.vendor == "postgresql":
        if _postgresql_deferred_constraints_fail(using):
            yield from _orphans(using)
    else:
        yield from _orphans(using)


def _sqlite_foreign_keys(using: str) -> Iterator[Violation]:
    by_table = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
    with connections[using].cursor() as cursor:
        cursor.execute("PRAGMA foreign_key_check")
        problems = cursor.fetchall()
        for table, rowid, parent, fkid in problems[:MAX_LISTED]:
            cursor.execute(f"PRAGMA foreign_key_list({connections[using].ops.quote_name(table)})")
            column = next((row[3] for row in cursor.fetchall() if row[0] == fkid), "?")
            cursor.execute(f"SELECT {connections[using].ops.quote_name(column)} FROM "
                           f"{connections[using].ops.quote_name(table)} WHERE rowid = %s", [rowid])
            found = cursor.fetchone()
            model = by_table.get(table)
            yield Violation("foreign_key", _label(model) if model else table, rowid, _human_id(model, rowid, using),
                            {column: found[0] if found else None, "missing_in": parent})


def _postgresql_deferred_constraints_fail(using: str) -> bool:
    """True when a deferred constraint is violated right now. Outside a transaction nothing is pending."""
    connection = connections[using]
    if not connection.in_atomic_block:
        return False
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django creates its FKs INITIALLY DEFERRED
    except DatabaseError:
        return True  # the savepoint is rolled back; the transaction stays usable
    return False


def _orphans(using: str) -> Iterator[Violation]:
    """Rows whose foreign key points at nothing, one anti-join per foreign key (only after a failure)."""
    for model in apps.get_models(include_auto_created=True):
        for fk in model._meta.concrete_fields:
            if not (fk.many_to_one or fk.one_to_one) or not getattr(fk, "db_constraint", False):
                continue
            target = fk.related_model
            rows = model._base_manager.using(using).exclude(**{f"{fk.attname}__isnull": True}).exclude(
                **{f"{fk.attname}__in": target._base_manager.using(using).values(fk.target_field.attname)}
            ).values_list("pk", fk.attname)
            for pk, value in rows[:MAX_LISTED]:
                yield Violation("foreign_key", _label(model), pk, _human_id(model, pk, using),
                                {fk.attname: value, "missing_in": target._meta.db_table})


HUMAN_ID_FIELDS: dict[type[models.Model], str] = {
    Deal: "deal_id", Payment: "transaction_id", Invoice: "invoice_id", Client: "email",
    Approval: "payment__transaction_id", Commission: "user__email", Notification: "title",
}


def _human_id(model: type[models.Model] | None, pk: Any, using: str) -> str:
    field_name = HUMAN_ID_FIELDS.get(model) if model is not None else None
    if field_name is None:
        return f"#{pk}"
    value = model._base_manager.using(using).filter(pk=pk).values_list(field_name, flat=True).first()
    return str(value) if value is not None else f"#{pk}"


# --- entry points -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """One group of rules and the tables it reads (None: any table, for the foreign keys), and the table its
    violations are rows of (`rows_of`): when that table is empty, the rules have nothing to find."""

    run: Callable[[str], Iterable[Violation]]
    tables: frozenset[str] | None
    org_rule: OrgRule | None = None  # the organization rules that apply run together, in one query
    rows_of: str | None = None

    def applies(self, changed_tables: Collection[str] | None, empty_tables: Collection[str] = ()) -> bool:
        if self.rows_of is not None and self.rows_of in empty_tables:
            return False
        if changed_tables is None:
            return True
        return bool(changed_tables) if self.tables is None else not self.tables.isdisjoint(changed_tables)


def _tables(*model_list: type[models.Model]) -> frozenset[str]:
    return frozenset(model._meta.db_table for model in model_list)


def _org_check(rule: OrgRule) -> Check:
    paths = [rule.org, rule.other] + ([rule.superuser_exempt] if rule.superuser_exempt else [])
    return Check(lambda using: organization_mismatches(using, (rule,)), path_tables(rule.model, *paths), rule,
                 rule.model._meta.db_table)


CHECKS: tuple[Check, ...] = (
    *(_org_check(rule) for rule in ORG_RULES),
    Check(deal_payment_figures, _tables(Deal, Payment, Approval), rows_of=Deal._meta.db_table),
    Check(payment_invoices, _tables(Payment, Invoice), rows_of=Payment._meta.db_table),
    Check(payment_decisions, _tables(Payment, Approval), rows_of=Payment._meta.db_table),
    Check(approvers, path_tables(Approval, "verifier__role", "payment__recorded_by_id", "payment__amount"),
          rows_of=Approval._meta.db_table),
    Check(commissions, _tables(Commission, Payment, Approval, Deal), rows_of=Commission._meta.db_table),
    Check(audit_chains, _tables(AuditLog), rows_of=AuditLog._meta.db_table),
    Check(security_events, _tables(SecurityEvent), rows_of=SecurityEvent._meta.db_table),
    Check(foreign_keys, None),
)


def find_violations(using: str = "default", changed_tables: Collection[str] | None = None,
                    empty_tables: Collection[str] = ()) -> list[Violation]:
    """Every violation of the rules that read one of `changed_tables` (None: of every rule), leaving out the
    rules whose violations would be rows of one of `empty_tables` (tables known to hold no rows)."""
    checks = [check for check in CHECKS if check.applies(changed_tables, empty_tables)]
    org_rules = tuple(check.org_rule for check in checks if check.org_rule is not None)
    return [*organization_mismatches(using, org_rules),
            *(violation for check in checks if check.org_rule is None for violation in check.run(using))]


def assert_database_consistency(using: str = "default", changed_tables: Collection[str] | None = None,
                                empty_tables: Collection[str] = ()) -> None:
    """Raises ConsistencyError listing every violation of PRS's invariants (see find_violations)."""
    violations = find_violations(using, changed_tables, empty_tables)
    if violations:
        raise ConsistencyError(violations)
