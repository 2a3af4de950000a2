"""The admin is the back office; with ADMIN_REQUIRE_OTP staff also need a TOTP code (django-otp)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm


class BackOfficeSite(admin.AdminSite):
    site_header = _("Broker CRM back office")
    site_title = _("Broker CRM")

    # Read per request rather than at import, so one process can be switched (and tested) either way.
    def has_permission(self, request) -> bool:
        allowed = super().has_permission(request)
        return allowed and (not settings.ADMIN_REQUIRE_OTP or request.user.is_verified())

    def login(self, request, extra_context=None):
        if settings.ADMIN_REQUIRE_OTP:
            self.login_form, self.login_template = OTPAdminAuthenticationForm, "otp/admin111/login.html"
        else:
            self.login_form, self.login_template = AdminAuthenticationForm, None
        return super().login(request, extra_context)


admin.site.__class__ = BackOfficeSite
