from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User


class MeOutputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=User.Role.choices)
    roles = serializers.ListField(child=serializers.CharField())


class MeApi(APIView):
    """Who am I: the signed-in user's email, name and roles."""

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request):
        user = request.user
        data = {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "roles": [r.value for r in User.Role if user.has_role(r)],
        }
        return Response(MeOutputSerializer(data).data)
