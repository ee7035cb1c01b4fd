from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policies, selectors, services
from accounts.api.serializers import (
    AffiliationDecisionSerializer,
    AffiliationSerializer,
    ApiTokenSerializer,
    MembershipRequestSerializer,
    MembershipRoleSerializer,
    MembershipSerializer,
    OrganisationSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from accounts.api.throttling import TokenObtainAccountThrottle, TokenObtainIpThrottle
from accounts.choices import AffiliationState
from accounts.models import Affiliation, ApiToken, Organisation, OrganisationMembership
from catalogue.models import Institution
from core.errors import DomainError
from core.policies import require, require_visible


class TokenObtainView(APIView):
    """Exchange e-mail and password for a new personal API token; send it as `Authorization: Token <token>`.

    Each call makes a new token, valid for API_TOKEN_TTL_DAYS (see `expires`); list and revoke them at
    /api/v1/auth/tokens/ or on the profile page. The e-mail address must be verified (403 `email_unverified`); a
    person with MFA also gives `mfa_code`. Attempts are limited per client address and per e-mail address (429 with
    Retry-After).
    """

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [TokenObtainIpThrottle, TokenObtainAccountThrottle]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer}, tags=["auth"])
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = services.api_token_obtain(**serializer.validated_data)
        return Response({"token": key, "expires": token.expiry})


class TokenListView(APIView):
    """The caller's own personal API tokens: id, name, when made, when they expire, the last characters of their
    stored prefix. The secret is never shown again. An organisation key owns no personal tokens (403)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ApiTokenSerializer(many=True)}, tags=["auth"])
    def get(self, request):
        tokens = selectors.api_tokens_of(request.user)
        return Response(ApiTokenSerializer(tokens, many=True, context={"now": timezone.now()}).data)


class TokenDetailView(APIView):
    """Revoke one of the caller's own tokens (404 for anybody else's)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, tags=["auth"])
    def delete(self, request, pk: int):
        try:
            services.api_token_revoke(user=request.user, token_id=pk)
        except ApiToken.DoesNotExist:
            raise Http404 from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyAffiliationView(APIView):
    """The caller's own affiliation claim: which institution, whether it is verified (only a verified one gives
    internal prices); 404 without a claim."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AffiliationSerializer}, tags=["affiliations"])
    def get(self, request):
        affiliation = selectors.affiliation_of(request.user)
        if affiliation is None:
            raise Http404
        return Response(AffiliationSerializer(affiliation).data)


class InstitutionAffiliationsView(APIView):
    """An institution's affiliation claims (`?state=pending|verified|refused`), for its admins."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AffiliationSerializer(many=True)}, tags=["affiliations"])
    def get(self, request, pk: int):
        institution = get_object_or_404(Institution, pk=pk)
        require(policies.can_view_affiliations, request.user, institution)
        state = request.query_params.get("state") or None
        if state is not None and state not in AffiliationState.values:
            raise DomainError(_("Unknown state."), field="state", code="invalid_choice")
        claims = selectors.affiliations_of_institution(institution, state=state).select_related("institution")
        return Response(AffiliationSerializer(claims, many=True).data)


class AffiliationDecisionView(APIView):
    """Approve (`{"approve": true}`) or refuse a claim, as an admin of its institution; in the history."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=AffiliationDecisionSerializer, responses={200: AffiliationSerializer}, tags=["affiliations"])
    def post(self, request, pk: int):
        serializer = AffiliationDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            affiliation = services.affiliation_decide(
                actor=request.user, affiliation_id=pk, **serializer.validated_data
            )
        except Affiliation.DoesNotExist:
            raise Http404 from None
        return Response(AffiliationSerializer(affiliation).data)


class MyOrganisationsView(APIView):
    """GET: the caller's memberships with their organisations and states. POST `{"org_number": "…"}`: ask to act
    for an organisation (registered now if new, checked in Brønnøysundregistrene; 400 naming `org_number` for an
    unknown, deleted or bankrupt number). 201 with the membership, approved at once or waiting."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MembershipSerializer(many=True)}, tags=["organisations"])
    def get(self, request):
        return Response(MembershipSerializer(selectors.memberships_of(request.user), many=True).data)

    @extend_schema(request=MembershipRequestSerializer, responses={201: MembershipSerializer}, tags=["organisations"])
    def post(self, request):
        serializer = MembershipRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_request(user=request.user, **serializer.validated_data)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class OrganisationDetailView(APIView):
    """One organisation with its members, for its approved members and platform admins."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OrganisationSerializer}, tags=["organisations"])
    def get(self, request, pk: int):
        organisation = get_object_or_404(Organisation, pk=pk)
        require_visible(policies.knows_organisation, request.user, organisation)
        require(policies.can_view_organisation, request.user, organisation)
        body = OrganisationSerializer(organisation).data
        body["members"] = [
            {"id": m.pk, "email": m.user.email, "role": m.role, "state": m.state}
            for m in selectors.organisation_members(organisation)
        ]
        return Response(body)


class OrganisationRecheckView(APIView):
    """Ask Brønnøysundregistrene again (platform admins and the organisation's admins); 409 while unreachable."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: OrganisationSerializer}, tags=["organisations"])
    def post(self, request, pk: int):
        try:
            organisation = services.organisation_recheck(actor=request.user, organisation_id=pk)
        except Organisation.DoesNotExist:
            raise Http404 from None
        return Response(OrganisationSerializer(organisation).data)


class MembershipsToDecideView(APIView):
    """The memberships waiting for the caller: of organisations they are admin of (every one for a platform
    admin)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MembershipSerializer(many=True)}, tags=["organisations"])
    def get(self, request):
        return Response(MembershipSerializer(selectors.memberships_to_decide(request.user), many=True).data)


class MembershipDecisionView(APIView):
    """Approve (`{"approve": true}`) or refuse a membership: first members by a platform admin, later ones by the
    organisation's admins."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=AffiliationDecisionSerializer, responses={200: MembershipSerializer}, tags=["organisations"])
    def post(self, request, pk: int):
        serializer = AffiliationDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            membership = services.membership_decide(actor=request.user, membership_id=pk, **serializer.validated_data)
        except OrganisationMembership.DoesNotExist:
            raise Http404 from None
        return Response(MembershipSerializer(membership).data)


class MembershipRoleView(APIView):
    """Make an approved member an organisation admin (`{"role": "admin"}`) or an admin a member again
    (`{"role": "member"}`): the organisation's admins or a platform admin, never for themselves; the organisation
    keeps at least one admin (409 `last_admin`)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=MembershipRoleSerializer, responses={200: MembershipSerializer}, tags=["organisations"])
    def post(self, request, pk: int):
        serializer = MembershipRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            membership = services.membership_role_set(actor=request.user, membership_id=pk, **serializer.validated_data)
        except OrganisationMembership.DoesNotExist:
            raise Http404 from None
        return Response(MembershipSerializer(membership).data)
