"""Glue between permission policies and the web and API layers.

A policy is a plain function `(user, obj=None) -> bool` in an app's `policies.py`, one per action. The write
services call it through `require` (pages and API views reach the same service), and pages and API views call it
for what they show, so the web and the API can never disagree about who may do what.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied

Policy = Callable[..., bool]


class Operator:
    """Someone running a management command on the server (an import, say): trusted with every action."""

    is_authenticated = False  # no person: a policy asked directly lets an operator do nothing

    def __repr__(self):
        return "OPERATOR"


OPERATOR = Operator()


def require(policy: Policy, user, obj=None) -> None:
    """Raise PermissionDenied (403 on page and API) unless the policy allows the action (or an operator acts)."""
    if user is OPERATOR:
        return
    allowed = policy(user) if obj is None else policy(user, obj)
    if not allowed:
        raise PermissionDenied
