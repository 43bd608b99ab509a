"""Which organization a new object belongs to: the actor's, or for a superuser the one named in the payload."""
from __future__ import annotations

from prs.accounts.models import Organization, User
from prs.common.inputs import Payload


def organization_for_create(actor: User, payload: Payload) -> Organization | None:
    if not actor.is_superuser:
        return actor.organization
    organization_id = payload.reference("organization")
    if organization_id is None:
        return None
    organization = Organization.objects.filter(pk=organization_id, is_active=True).first()
    if organization is None:
        payload.errors.add("organization", f"Organization {organization_id} not found.")
    return organization
