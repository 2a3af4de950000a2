"""The admin is the back office; with ADMIN_REQUIRE_OTP staff also need a TOTP code."""

from django.conf import settings
from django.contrib import admin
from django_otp.admin import OTPAdminSite

admin.site.site_header = "Broker CRM back office"
admin.site.site_title = "Broker CRM"
if settings.ADMIN_REQUIRE_OTP:
    admin.site.__class__ = OTPAdminSite
