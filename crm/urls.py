from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

import crm.admin_site  # noqa: F401  (applies the staff 2FA requirement to the admin)

api_v1 = [
    path("", include("crm.users.urls")),
    path("", include("crm.configuration.urls")),
    path("", include("crm.verification.urls")),
    path("", include("crm.permissions.urls")),
    path("", include("crm.content.urls")),
    path("", include("crm.files.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("files/", include("crm.files.urls_download")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL + "public/", document_root=settings.MEDIA_ROOT / "public")
