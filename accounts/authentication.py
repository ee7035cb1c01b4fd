"""Personal API tokens: `Authorization: Token <key>`, DRF's TokenAuthentication with a cheaper lookup.

Every API call authenticates, so the token and its user are read with one fixed SQL statement instead of an ORM
query that is compiled anew on each request. The answers are DRF's own.
"""

import functools

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from config import rawsql
from config.rawsql import RowLoader

_users = RowLoader(get_user_model(), "u")
_tokens = RowLoader(Token, "t")


@functools.cache
def _token_sql(vendor: str) -> str:
    return (
        f"SELECT {_tokens.columns()}, {_users.columns()} FROM {Token._meta.db_table} t "
        f"JOIN {_users.model._meta.db_table} u ON u.id = t.user_id WHERE t.key = %s"
    )


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        with rawsql.cursor() as cursor:
            cursor.execute(_token_sql(cursor.db.vendor), [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = _tokens.load(row, db=cursor.db)
        user = _users.load(row, offset=len(_tokens.fields), db=cursor.db)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        # token.user and user.auth_token, as the assignment would set them, without its checks
        to_user = Token._meta.get_field("user")
        to_user.set_cached_value(token, user)
        to_user.remote_field.set_cached_value(user, token)
        return user, token
