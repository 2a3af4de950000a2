from rest_framework.permissions import BasePermission

from crm.content.models import Audience
from crm.permissions.selectors import portal_audience_for


class IsClient(BasePermission):
    """Signed-in clients and IBs (an IB trades and passes KYC as a client does); staff get 403
    `not_a_portal_user` like on every other client-portal operation, anonymous requests 401."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        portal_audience_for(user=user, requested=Audience.CLIENT)
        return True
