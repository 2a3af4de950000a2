from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

import crm.admin_site  # noqa: F401  (applies the staff 2FA requirement to the admin)
from crm.api.errors import api_not_found
from ib.qr import referral_qr_view

# A fault outside an API view (with DEBUG off): the envelope under /api/, Django's page elsewhere.
handler500 = "crm.api.errors.server_error"

api_v1 = [
    path("", include("crm.users.urls")),
    path("", include("crm.configuration.urls")),
    path("", include("crm.verification.urls")),
    path("", include("crm.permissions.urls")),
    path("", include("crm.content.urls")),
    path("", include("crm.inbox.urls")),
    path("", include("clients.urls")),
    path("", include("clients.resources.urls")),
    path("", include("clients.trading.urls")),
    path("", include("crm.files.urls")),
    path("", include("funds.urls")),
    path("", include("funds.deposits.urls")),
    path("", include("funds.withdrawals.urls")),
    path("", include("funds.transfers.urls")),
    path("", include("ib.urls")),
    path("", include("ib.dashboard.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("files/", include("crm.files.urls_download")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # Whatever else is under /api/ is 404 in the error envelope, never Django's HTML page.
    re_path(r"^api/", csrf_exempt(api_not_found)),
    # Electronic identity verification: the simulated provider's page and the providers' callbacks.
    path("e-verify/", include("clients.everify.urls")),
    # Online payment providers: their callbacks, and the simulated provider's payment page.
    path("payments/", include("funds.deposits.urls_payments")),
    # The QR code image of an IB's referral link (public, like the link).
    path("referral/<str:code>/qr.svg", referral_qr_view, name="ib_referral_qr"),
    path("ib/apply/", include("ib.apply")),
    # The IB portal.
    path("ib/", include("ib.portal.urls")),
    # The client portal, before allauth's pages: it wraps allauth's sign-up to keep the invite code.
    path("", include("clients.portal.urls")),
    path("accounts/", include("allauth.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL + "public/", document_root=settings.MEDIA_ROOT / "public")
