"""Existing accounts under allauth and knox.

1. Every user that exists when allauth arrives gets its e-mail address as a verified, primary allauth address:
   these accounts were accepted before verification existed, and must not be locked out of booking, requests and
   tokens by the new rule (new accounts verify their address).
2. DRF's plain-text tokens (rest_framework.authtoken, table authtoken_token) become knox tokens with the same
   key, so existing API clients keep working: only the key's SHA-512 digest (knox's default hash) and its first
   15 characters are stored, with an expiry API_TOKEN_TTL_DAYS from now. The old table, which held the keys in
   plain text, is dropped.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone

OLD_TOKEN_TABLE = "authtoken_token"
KEY_PREFIX_LENGTH = 15  # knox.settings.CONSTANTS.TOKEN_KEY_LENGTH


def verify_existing_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    db = schema_editor.connection.alias
    known = set(EmailAddress.objects.using(db).values_list("user_id", flat=True))
    EmailAddress.objects.using(db).bulk_create(
        [
            EmailAddress(user_id=user_id, email=email.lower(), verified=True, primary=True)
            for user_id, email in User.objects.using(db).values_list("id", "email").order_by("id")
            if user_id not in known and email
        ],
        batch_size=1000,
    )


def move_plain_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TOKEN_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    expiry = timezone.now() + datetime.timedelta(days=getattr(settings, "API_TOKEN_TTL_DAYS", 90))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {connection.ops.quote_name(OLD_TOKEN_TABLE)}")
        rows = cursor.fetchall()
    tokens = []
    for key, user_id, created in rows:
        token = ApiToken(
            digest=hashlib.sha512(key.encode()).hexdigest(),
            token_key=key[:KEY_PREFIX_LENGTH],
            user_id=user_id,
            expiry=expiry,
            name="API token from before tokens expired",
        )
        tokens.append((token, created))
    ApiToken.objects.using(connection.alias).bulk_create([token for token, _created in tokens], batch_size=1000)
    for token, created in tokens:  # auto_now_add set "now" on insert; keep when the key was really made
        if created is not None:
            ApiToken.objects.using(connection.alias).filter(digest=token.digest).update(created=created)
    schema_editor.execute(f"DROP TABLE {connection.ops.quote_name(OLD_TOKEN_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_apitoken"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.RunPython(verify_existing_addresses, migrations.RunPython.noop),
        migrations.RunPython(move_plain_tokens, migrations.RunPython.noop),
    ]
