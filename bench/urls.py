"""The project's URLs plus `/bench/bare`: the yardstick every operation is compared with."""

from django.urls import path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.urls import urlpatterns as project_urlpatterns

ROWS = [
    {"id": number, "login": 80_000_000 + number, "currency": "USD", "leverage": 100, "balance": "1000.00"}
    for number in range(1, 21)
]


class BareRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    login = serializers.IntegerField()
    currency = serializers.CharField()
    leverage = serializers.IntegerField()
    balance = serializers.CharField()


class BareApi(APIView):
    """DRF with nothing of ours: no authentication, no throttle, 20 rows from memory."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def get(self, request):
        return Response({"list": BareRowSerializer(ROWS, many=True).data, "total": len(ROWS)})


urlpatterns = [path("bench/bare", BareApi.as_view()), *project_urlpatterns]
