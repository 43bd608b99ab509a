"""Human-readable ids numbered per organization: DLID0001, TXN-0001, INV-0001."""
from __future__ import annotations

import re

from django.db import models
from django.db.models.functions import Length

from prs.accounts.models import Organization


def lock_organization(organization_id: int) -> Organization:
    """Row lock on the organization: serializes id allocation and audit appends within it."""
    return Organization.objects.select_for_update().get(pk=organization_id)


def next_human_id(model: type[models.Model], field: str, prefix: str, organization_id: int, width: int = 4) -> str:
    """The next id after the highest one in use. Call inside a transaction: it locks the organization row."""
    lock_organization(organization_id)
    last = (
        model._default_manager.filter(organization_id=organization_id, **{f"{field}__startswith": prefix})
        .annotate(_id_length=Length(field))
        .order_by("-_id_length", f"-{field}")
        .values_list(field, flat=True)
        .first()
    )
    number = 0
    if last is not None:
        match = re.fullmatch(rf"{re.escape(prefix)}(\d+)", last)
        number = int(match.group(1)) if match else 0
    return f"{prefix}{number + 1:0{width}d}"
