from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from clients.errors import ClientErrorCode
from crm.errors import Forbidden
from crm.users.models import User


class IsClient(BasePermission):
    """Signed-in clients and IBs (an IB trades and passes KYC as a client does); staff get 403
    `not_a_client`, anonymous requests 401."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        if user.role == User.Role.STAFF:
            raise Forbidden(code=ClientErrorCode.NOT_A_CLIENT, message=_("This operation is for clients."))
        return True
