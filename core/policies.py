"""Glue between permission policies and the web and API layers.

A policy is a plain function `(user, obj=None) -> bool` in an app's `policies.py`, one per action. Pages and
API views call the same function, so the web and the API can never disagree about who may do what.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied

Policy = Callable[..., bool]


def require(policy: Policy, user, obj=None) -> None:
    """Raise PermissionDenied (403 on page and API) unless the policy allows the action."""
    allowed = policy(user) if obj is None else policy(user, obj)
    if not allowed:
        raise PermissionDenied
