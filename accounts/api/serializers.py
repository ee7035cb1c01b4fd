from rest_framework import serializers

from accounts.choices import MembershipRole
from accounts.models import Affiliation, ApiToken, Organisation, OrganisationMembership


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


class AffiliationSerializer(serializers.ModelSerializer):
    """A person's claim to belong to an institution, and whether (and how) it is verified."""

    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)

    class Meta:
        model = Affiliation
        fields = ["id", "email", "name", "institution", "institution_name", "state", "method", "claimed_at",
                  "decided_at"]  # fmt: skip


class AffiliationDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "org_number", "name", "kind", "address", "vat_registered", "nace_code", "sector",
                  "register_state", "register_checked_at", "register_note"]  # fmt: skip


class MembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = OrganisationMembership
        fields = ["id", "organisation", "email", "role", "state", "claimed_name", "requested_at", "decided_at",
                  "decision_note"]  # fmt: skip


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=MembershipRole.choices)


class MembershipRequestSerializer(serializers.Serializer):
    org_number = serializers.CharField(max_length=20)
    company_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200,
        help_text="Only needed when Brønnøysundregistrene cannot be reached; the register's name is used.",
    )  # fmt: skip
