"""What every IB operation shares: the IB audience check and the refusals it documents."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse

from crm.api.views import OperationView
from crm.content.models import Audience
from crm.permissions.selectors import portal_audience_for
from ib.models import IbProfile
from ib.selectors import ib_profile_of

MAX_ID = 2**63 - 1

IB_REFUSALS = {
    401: OpenApiResponse(description="Not logged in (`not_authenticated`)."),
    403: OpenApiResponse(
        description="`not_an_ib`: the IB portal, for a user who is not an IB; `not_a_portal_user`: staff."
    ),
}
INVALID_INPUT = {400: OpenApiResponse(description="`invalid_input` with `fields`.")}


class IbPortalView(OperationView):
    """An operation of the IB portal: signed-in IBs only (403 `not_an_ib` otherwise). `self.ib` is the
    caller's IB profile."""

    ib: IbProfile

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        portal_audience_for(user=request.user, requested=Audience.IB)
        self.ib = ib_profile_of(request.user)
