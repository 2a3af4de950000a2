"""ib.user.get_info: the IB's own profile and KYC (as client.user.get_info) with its referral code, link
and QR code."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clients import selectors as client_selectors
from clients.api.presenters import ClientInfoSerializer, client_info_shown
from crm.api.schema import X_LANGUAGE
from ib.api.common import IB_REFUSALS, IbPortalView
from ib.models import IbProfile
from ib.qr import referral_link, referral_qr_url


class IbInfoSerializer(ClientInfoSerializer):
    ReferralCode = serializers.CharField(help_text="The IB's invite code (8 characters, no 0/O/1/I/L).")
    ReferralLink = serializers.CharField(
        help_text="The portal's sign-up page with `?invite=<code>`, absolute: a client who signs up through it "
        "(by e-mail or Google) belongs to this IB."
    )
    QRCodeURL = serializers.CharField(help_text="An absolute URL of an SVG image of a QR code of `ReferralLink`.")
    ib_id = serializers.IntegerField(help_text="The IB's id.")
    ib_status = serializers.ChoiceField(
        choices=IbProfile.Status.choices, help_text="`suspended` IBs earn nothing until staff reactivate them."
    )
    parent_ib_name = serializers.CharField(help_text='The name (else e-mail) of the IB above; "" at the top.')
    plan_name = serializers.CharField(help_text='The rebate plan that pays on this IB\'s clients; "" when none.')
    is_downline_visible = serializers.BooleanField(
        help_text="Whether the IB sees its sub-IBs' clients (its plan says so)."
    )


class IbInfoApi(IbPortalView):
    operation_id = "ib.user.get_info"

    @extend_schema(
        parameters=[X_LANGUAGE],
        responses={200: IbInfoSerializer, **IB_REFUSALS},
        summary="Get the IB user's profile, KYC status and referral code/link/QR code.",
        description="The KYC fields are client.user.get_info's (an IB passes KYC as a client does).",
    )
    def get(self, request):
        ib = self.ib
        overview = client_selectors.kyc_overview(profile=client_selectors.client_profile_of(user=request.user))
        parent = ib.parent.user if ib.parent is not None else None
        info = {
            **client_info_shown(overview),
            "ReferralCode": ib.referral_code,
            "ReferralLink": referral_link(ib.referral_code),
            "QRCodeURL": referral_qr_url(ib.referral_code),
            "ib_id": ib.pk,
            "ib_status": ib.status,
            "parent_ib_name": (parent.name or parent.email) if parent is not None else "",
            "plan_name": ib.plan.name if ib.plan is not None else "",
            "is_downline_visible": bool(ib.plan and ib.plan.is_downline_visible),
        }
        return Response(IbInfoSerializer(info).data)
