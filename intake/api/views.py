"""The intake API for clusters, TTOs (organisation keys) and people (personal tokens or session).

Parse, check the policy, call one service, answer. Requests the caller may not see are 404, never 403, so that
their existence is not revealed.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.policies import require_verified_email
from core.errors import DomainError
from intake import policies, selectors, services
from intake.api import serializers as s
from intake.api.permissions import scope_required
from intake.choices import AuthorRole, Scope
from intake.filtersets import IntakeRequestFilterSet
from intake.models import ApiClient, IntakeRequest, RequestEvent, Routing, WebhookDelivery


def actor_of(request):
    return request.auth if isinstance(request.auth, ApiClient) else request.user


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied()


def _routing_for_manager(request_obj, user, routing_id):
    routings = policies.answerable_routings(user, selectors.pending_routings(request_obj))
    if routing_id is not None:
        routings = [r for r in routings if r.pk == routing_id]
        if not routings:
            raise DomainError(_("No routing with this id is waiting for your answer."), field="routing")
    return routings[0] if routings else None


class IntakeRequestViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Requests the caller may see: a client its own, a person their own, their screening queue and the requests
    routed to their facilities."""

    serializer_class = s.IntakeRequestSerializer
    filterset_class = IntakeRequestFilterSet

    def get_permissions(self):
        read = self.action in ("list", "retrieve", "deliveries")
        return [scope_required(Scope.INTAKE_READ if read else Scope.INTAKE_WRITE)()]

    def get_queryset(self):
        queryset = selectors.requests_visible_to(actor_of(self.request)).order_by("-created_at")
        return self._with_detail(queryset) if self.action == "retrieve" else queryset

    @staticmethod
    def _with_detail(queryset):
        return queryset.prefetch_related(
            Prefetch("events", queryset=RequestEvent.objects.order_by("created_at", "id")),
            "messages",
            "referrals",
            Prefetch("routings", queryset=Routing.objects.select_related("facility")),
        )

    def get_serializer_class(self):
        if self.action == "list":
            return s.IntakeRequestListSerializer
        if self.action == "retrieve":
            return s.IntakeRequestDetailSerializer
        return s.IntakeRequestSerializer

    def create(self, request, *args, **kwargs):
        if not isinstance(request.auth, ApiClient):
            require_verified_email(request.user)  # a person sends a request as themselves once verified (403)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        actor = actor_of(self.request)
        client = actor if isinstance(actor, ApiClient) else None
        user = None if client else actor
        data = dict(serializer.validated_data)
        on_behalf_of = data.pop("on_behalf_of", None)
        serializer.instance = services.request_submit(data=data, user=user, client=client, on_behalf_of=on_behalf_of)

    def _answer(self, request_obj, status_code=status.HTTP_200_OK):
        # The state right after the caller's own action, even when it took the request out of their sight
        # (a platform admin assigning it to an institution).
        fresh = self._with_detail(IntakeRequest.objects.all()).get(pk=request_obj.pk)
        data = s.IntakeRequestDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @extend_schema(request=s.MessageInputSerializer, responses={201: s.IntakeRequestDetailSerializer})
    @action(detail=True, methods=["post"])
    def messages(self, request, pk=None):
        request_obj = self.get_object()
        actor = actor_of(request)
        _require(policies.can_message_request(actor, request_obj))
        data = s.MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if policies.is_requester(actor, request_obj):
            role = AuthorRole.REQUESTER
        elif policies.can_screen_request(actor, request_obj):
            role = AuthorRole.SCREENER
        else:
            role = AuthorRole.MANAGER
        services.request_add_message(request=request_obj, actor=actor, body=data.validated_data["message"], role=role)
        return self._answer(request_obj, status.HTTP_201_CREATED)

    @extend_schema(request=s.ReasonInputSerializer, responses=s.IntakeRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        request_obj = self.get_object()
        _require(policies.can_withdraw_request(actor_of(request), request_obj))
        data = s.ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.request_withdraw(request=request_obj, actor=actor_of(request), reason=data.validated_data["reason"])
        return self._answer(request_obj)

    @extend_schema(request=s.MessageInputSerializer, responses=s.IntakeRequestDetailSerializer)
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request, pk=None):
        request_obj = self.get_object()
        _require(policies.can_screen_request(actor_of(request), request_obj))
        data = s.MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.request_ask_for_info(request=request_obj, user=request.user, message=data.validated_data["message"])
        return self._answer(request_obj)

    @extend_schema(request=s.RouteInputSerializer, responses=s.IntakeRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def route(self, request, pk=None):
        request_obj = self.get_object()
        _require(policies.can_screen_request(actor_of(request), request_obj))
        data = s.RouteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.request_route(
            request=request_obj,
            user=request.user,
            facilities=data.validated_data["facilities"],
            note=data.validated_data["note"],
        )
        return self._answer(request_obj)

    @extend_schema(request=s.DeclineInputSerializer, responses=s.IntakeRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """A screener declines the request; a facility manager declines the routing to their facility (the request
        then goes back to screening)."""
        request_obj = self.get_object()
        actor = actor_of(request)
        data = s.DeclineInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        routing = _routing_for_manager(request_obj, actor, values.get("routing"))
        if routing is not None:
            services.routing_decline(routing=routing, user=actor, reason=values["reason"], comment=values["comment"])
        else:
            _require(policies.can_screen_request(actor, request_obj))
            services.request_decline(
                request=request_obj, user=actor, reason=values["reason"], comment=values["comment"]
            )
        return self._answer(request_obj)

    @extend_schema(request=s.AcceptInputSerializer, responses=s.IntakeRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """A manager of a facility the request was routed to accepts it with a proposal."""
        request_obj = self.get_object()
        actor = actor_of(request)
        data = s.AcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        routing = _routing_for_manager(request_obj, actor, values.pop("routing", None))
        if routing is None:
            # Nothing pending for this manager: accepting again is a conflict the service reports.
            _require(policies.is_routed_manager(actor, request_obj))
            routing = _any_routing(request_obj, actor)
        services.routing_accept(routing=routing, user=actor, **values)
        return self._answer(request_obj)

    @extend_schema(request=s.AssignInputSerializer, responses=s.IntakeRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Whoever screens the request hands it to another institution's screeners."""
        request_obj = self.get_object()
        _require(policies.can_assign_request(actor_of(request), request_obj))
        data = s.AssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.request_assign_institution(request=request_obj, user=request.user, **data.validated_data)
        return self._answer(request_obj)

    @extend_schema(request=s.DecideInputSerializer, responses=s.IntakeRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The requester (or the cluster/TTO that sent the request) accepts or declines one facility's proposal."""
        request_obj = self.get_object()
        data = s.DecideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        routing = request_obj.routings.filter(pk=data.validated_data["routing"]).first()
        if routing is None:
            raise DomainError(_("No proposal with this id on the request."), field="routing", code="not_found")
        _require(policies.can_decide_proposal(actor_of(request), routing))
        services.proposal_decide(routing=routing, actor=actor_of(request), decision=data.validated_data["decision"])
        return self._answer(request_obj)

    @extend_schema(request=s.ReferInputSerializer, responses=s.IntakeRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        """Whoever screens the request refers it outside the register (cluster, national platform, institute)."""
        request_obj = self.get_object()
        _require(policies.can_refer_request(actor_of(request), request_obj))
        data = s.ReferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.request_refer(request=request_obj, user=request.user, **data.validated_data)
        return self._answer(request_obj)

    @extend_schema(request=s.CloseInputSerializer, responses=s.IntakeRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """A screener closes the request as duplicate, spam or completed."""
        request_obj = self.get_object()
        _require(policies.can_screen_request(actor_of(request), request_obj))
        data = s.CloseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        duplicate_of = None
        if values.get("duplicate_of"):
            duplicate_of = IntakeRequest.objects.filter(pk=values["duplicate_of"]).first()
            if duplicate_of is None:
                raise DomainError(_("No request with this number."), field="duplicate_of")
        services.request_close(
            request=request_obj,
            user=request.user,
            reason=values["reason"],
            duplicate_of=duplicate_of,
            comment=values["comment"],
        )
        return self._answer(request_obj)


def _any_routing(request_obj, user) -> Routing:
    """A manager's answered routing; accepting it again is a conflict the service reports."""
    routing = Routing.objects.filter(request=request_obj, facility__managers__user=user).first()
    if routing is None:
        raise PermissionDenied()
    return routing


class WebhookView(APIView):
    """A client's webhook: GET shows the URL, PUT sets it and returns the signing secret (shown only here)."""

    def get_permissions(self):
        return [scope_required(Scope.INTAKE_READ if self.request.method == "GET" else Scope.INTAKE_WRITE)()]

    def _client(self, request) -> ApiClient:
        if not isinstance(request.auth, ApiClient):
            raise PermissionDenied(_("Webhooks belong to organisation keys."))
        return request.auth

    @extend_schema(responses=s.WebhookUrlSerializer)
    def get(self, request):
        client = self._client(request)
        return Response({"url": client.webhook_url})

    @extend_schema(request=s.WebhookInputSerializer, responses=s.WebhookSerializer)
    def put(self, request):
        client = self._client(request)
        data = s.WebhookInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = services.webhook_register(client=client, url=data.validated_data["url"])
        return Response({"url": client.webhook_url, "secret": client.webhook_secret})


class WebhookDeliveryListView(ListAPIView):
    """The delivery log of the client's webhook, newest first."""

    serializer_class = s.WebhookDeliverySerializer

    def get_permissions(self):
        return [scope_required(Scope.INTAKE_READ)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        if not isinstance(self.request.auth, ApiClient):
            raise PermissionDenied(_("Webhooks belong to organisation keys."))
        return WebhookDelivery.objects.filter(client=self.request.auth)
