"""Personal API tokens: `Authorization: Token <key>`, DRF's TokenAuthentication with its own lookup.

Every API call authenticates, so the token and its user are read with one fixed statement rather than an ORM
query built anew on each request (core.db.ModelRows: public Django APIs only). The answers are DRF's own.
"""

import functools

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from core.db import ModelRows

_tokens = ModelRows(Token, "t")
_users = ModelRows(get_user_model(), "u")


@functools.cache
def _token_sql(vendor: str) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    return (
        f"SELECT {_tokens.columns()}, {_users.columns()} FROM {quote(Token._meta.db_table)} t "
        f"JOIN {quote(_users.model._meta.db_table)} u ON u.id = t.user_id WHERE t.{quote('key')} = %s"
    )


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        db = connections[DEFAULT_DB_ALIAS]  # looked up once: each use of django.db.connection is a context lookup
        with db.cursor() as cursor:
            cursor.execute(_token_sql(db.vendor), [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = _tokens.load(row, db=db)
        user = _users.load(row, _tokens.width, db)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.user = user
        return user, token
