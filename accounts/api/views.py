from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.api.serializers import TokenRequestSerializer, TokenResponseSerializer


class TokenObtainView(APIView):
    """Exchange e-mail and password for an API token; send it as `Authorization: Token <token>`."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer}, tags=["auth"])
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"token": services.api_token_obtain(**serializer.validated_data)})
