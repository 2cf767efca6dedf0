"""Who may see and edit which lists in the admin: by department, and by jurisdiction.

A department administrator is a staff user in the group ``department_admin`` with one
``dept:<code>`` group per department they administer; the list kinds they see are those their
departments own (rules.lists). Their jurisdiction is given by ``scope:<code>`` groups (e.g.
``scope:440000`` for Guangdong): they edit the layers of that scope and of every scope within
it, and see the enclosing layers (the national one) read-only; other provinces' layers they do
not see at all. An administrator without a ``scope:`` group is a national one and edits every
layer of their lists, as before scopes existed. A superuser sees and edits everything.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from rules import engine
from rules.jurisdictions import NATIONAL, scope_contains
from rules.lists import list_kinds_of_departments

DEPARTMENT_ADMIN_GROUP = "department_admin"
DEPARTMENT_GROUP_PREFIX = "dept:"
JURISDICTION_GROUP_PREFIX = "scope:"


def _group_names(user: Any) -> set[str]:
    cached = getattr(user, "_rules_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._rules_group_names = cached
    return cached


def user_departments(user: Any) -> set[str] | None:
    """The departments whose lists ``user`` administers; None means every department."""
    if not user.is_active or not user.is_staff:
        return set()
    if user.is_superuser:
        return None
    names = _group_names(user)
    if DEPARTMENT_ADMIN_GROUP not in names:
        return set()
    return {n.removeprefix(DEPARTMENT_GROUP_PREFIX) for n in names if n.startswith(DEPARTMENT_GROUP_PREFIX)}


def user_jurisdictions(user: Any) -> set[str] | None:
    """The scopes ``user`` administers (with everything within them); None: every scope."""
    if user.is_superuser:
        return None
    scopes = {
        n.removeprefix(JURISDICTION_GROUP_PREFIX) for n in _group_names(user) if n.startswith(JURISDICTION_GROUP_PREFIX)
    }
    if not scopes or NATIONAL in scopes:
        return None
    return scopes


def user_home_scope(user: Any) -> str:
    """The scope an administrator's imports go to unless they choose another."""
    scopes = user_jurisdictions(user)
    return NATIONAL if scopes is None else sorted(scopes)[0]


def can_edit_scope(user: Any, scope: str) -> bool:
    scopes = user_jurisdictions(user)
    return scopes is None or any(scope_contains(own, scope) for own in scopes)


def can_view_scope(user: Any, scope: str) -> bool:
    """Editable, or a layer enclosing the user's jurisdiction (seen read-only)."""
    scopes = user_jurisdictions(user)
    return scopes is None or any(scope_contains(own, scope) or scope_contains(scope, own) for own in scopes)


def visible_scopes(user: Any, scopes: list[str]) -> list[str]:
    return [s for s in scopes if can_view_scope(user, s)]


def user_kinds(user: Any) -> list[str]:
    return list_kinds_of_departments(user_departments(user))


def user_libraries(user: Any) -> list[str]:
    """Libraries that read at least one of the user's lists (identity needs none: superusers)."""
    departments = user_departments(user)
    if departments is None:
        return engine.library_codes(include_inactive=True)
    kinds = set(user_kinds(user))
    return [code for code in engine.library_codes(include_inactive=True) if kinds & set(engine.library_lists(code))]


def require_kind(request: HttpRequest, kind: str) -> None:
    if kind not in user_kinds(request.user):
        raise PermissionDenied("This list belongs to another department.")


def require_scope(request: HttpRequest, scope: str, *, edit: bool = True) -> None:
    allowed = can_edit_scope(request.user, scope) if edit else can_view_scope(request.user, scope)
    if not allowed:
        raise PermissionDenied(
            "This layer belongs to another jurisdiction." if edit or not can_view_scope(request.user, scope) else ""
        )


class DepartmentScoped:
    """Permissions by department and jurisdiction instead of per-model permissions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(user_kinds(request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        kinds = user_kinds(request.user)
        if not kinds:
            return False
        if obj is None:
            return True
        scope = self.scope_of(obj)
        return self.kind_of(obj) in kinds and (scope is None or can_view_scope(request.user, scope))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.has_view_permission(request, obj):
            return False
        scope = self.scope_of(obj) if obj is not None else None
        return scope is None or can_edit_scope(request.user, scope)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(user_kinds(request.user))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def kind_of(self, obj: Any) -> str:
        return obj.kind

    def scope_of(self, obj: Any) -> str | None:
        """The layer ``obj`` belongs to; None for records that have none."""
        return getattr(obj, "scope", None)
