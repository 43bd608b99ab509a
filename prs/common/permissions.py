"""Who may call the API at all. Role rules (who may approve, read the audit trail…) live in the services,
which answer FORBIDDEN (403) and record the denial; organization scoping (404) lives in the selectors.
"""
from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


def is_member(user: Any) -> bool:
    """An authenticated superuser, or a user with a role in an active organization. (An inactive user is not
    authenticated at all: token and session authentication refuse them first.)"""
    if not (user and user.is_authenticated):
        return False
    if user.is_superuser:
        return True
    organization = user.organization
    return organization is not None and organization.is_active and bool(user.role)


class IsOrganizationMember(BasePermission):
    message = "Only members of an active organization may use the API."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_member(request.user)
