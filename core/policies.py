"""Glue between permission policies and the web and API layers.

A policy is a plain function `(user, obj=None) -> bool` in an app's `policies.py`, one per action. Pages and
API views call the same function, so the web and the API can never disagree about who may do what.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

Policy = Callable[..., bool]


def require(policy: Policy, user, obj=None) -> None:
    """Raise PermissionDenied (403 on page and API) unless the policy allows the action."""
    allowed = policy(user) if obj is None else policy(user, obj)
    if not allowed:
        raise PermissionDenied


def policy_permission(policy: Policy) -> type[BasePermission]:
    """A DRF permission class that asks `policy(user, obj)` for object actions and `policy(user)` otherwise."""

    class _PolicyPermission(BasePermission):
        def has_permission(self, request, view):
            if getattr(view, "detail", False) or "pk" in getattr(view, "kwargs", {}):
                return True  # decided per object
            return policy(request.user)

        def has_object_permission(self, request, view, obj):
            return policy(request.user, obj)

    _PolicyPermission.__name__ = f"{policy.__name__}_permission"
    return _PolicyPermission
