from rest_framework import serializers

from accounts.models import ApiToken


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    mfa_code = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="MFA code, for a person who has set up MFA."
    )
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="A name to tell this token from others."
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires = serializers.DateTimeField(allow_null=True)


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as its owner sees it: never the key, only the last characters of its stored prefix."""

    key_hint = serializers.CharField(read_only=True)
    expired = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "created", "expiry", "key_hint", "expired"]

    def get_expired(self, token) -> bool:
        return token.expiry is not None and token.expiry <= self.context["now"]
