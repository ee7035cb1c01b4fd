"""Glue between permission policies and the web and API layers.

A policy is a plain function `(user, obj=None) -> bool` in an app's `policies.py`, one per action. The write
services call it through `require` (pages and API views reach the same service), and pages and API views call it
for what they show, so the web and the API can never disagree about who may do what.

An object someone may not see is answered as a missing one (`require_visible`, 404), before any other check: only
who may see an object learns that an action on it is refused (403). So the order of checks never reveals whether
someone else's booking, organisation or draft exists.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404

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


def is_visible(policy: Policy, user, obj) -> bool:
    """Whether the viewing policy lets the user (or an operator) see `obj`; a service that looks an object up by
    its id raises the model's DoesNotExist when not, as for an id that names nothing."""
    return user is OPERATOR or policy(user, obj)


def require_visible(policy: Policy, user, obj) -> None:
    """Raise Http404 (as for an object that does not exist) unless the viewing policy lets the user see `obj`."""
    if not is_visible(policy, user, obj):
        raise Http404
