from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from intake.models import ApiClient


def scope_required(scope: str) -> type[BasePermission]:
    """Organisation keys need `scope`; signed-in people pass (their rights come from the policies)."""

    class _ScopePermission(BasePermission):
        message = format_lazy(_("This key lacks the scope “{scope}”."), scope=scope)

        def has_permission(self, request, view):
            if isinstance(request.auth, ApiClient):
                return request.auth.has_scope(scope)
            return bool(request.user and request.user.is_authenticated)

    _ScopePermission.__name__ = f"Scope_{scope.replace(':', '_')}"
    return _ScopePermission
