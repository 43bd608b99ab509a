"""`python manage.py verify_audit_chain`: names the first broken link of each organization, exits 1 if any."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prs.accounts.models import Organization
from prs.audit.services import AuditService


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail of every organization (or one, with --organization)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", type=int, help="id of the one organization to verify")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = options.get("organization")
        if organization is not None and not Organization.objects.filter(pk=organization).exists():
            raise CommandError(f"organization {organization} does not exist")
        result = AuditService().verify_chain(organization)
        report = result.data
        assert report is not None
        if result.success:
            self.stdout.write(
                f"audit chain intact: {report.checked} entries in {report.organizations} organization(s)"
            )
            return
        names = dict(Organization.objects.values_list("id", "name"))
        for link in report.broken:
            name = names.get(link.organization_id, "no organization") if link.organization_id else "no organization"
            self.stderr.write(f"BROKEN {name!r} (id {link.organization_id}): entry {link.entry_id}: {link.reason}")
        raise CommandError(f"audit chain broken in {len(report.broken)} organization(s)")
