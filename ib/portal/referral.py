"""The IB's referral link: the portal's sign-up page carrying the IB's code (`?invite=`), which the
sign-up keeps in the session until the client registers (`clients.portal.views.SignupView`)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from ib.models import IbProfile


def referral_link(request, ib: IbProfile) -> str:
    return request.build_absolute_uri(reverse("account_signup")) + "?" + urlencode({"invite": ib.referral_code})
