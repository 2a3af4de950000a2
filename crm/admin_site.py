"""The admin is the back office; with ADMIN_REQUIRE_OTP staff also need a TOTP code (django-otp).

Its home opens on the work waiting for staff (one card per queue, linking to the queue already
filtered) and today's approved money, above the list of models; the apps register both in
`crm.backoffice.registry`.
"""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm

from crm.backoffice.selectors import company_today, today_totals_for, work_waiting_for

CENT = Decimal("0.01")


def amount_text(amount: Decimal) -> str:
    """1234.50000000 → "1,234.50": the sum's stored precision without trailing zeros, at least cents."""
    shown = amount.quantize(CENT) if amount == amount.quantize(CENT) else amount.normalize()
    return format(shown, ",f")


@dataclass(frozen=True)
class WorkCard:
    key: str
    label: str | Promise
    count: int
    url: str


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

    def index(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "work_waiting": self.work_cards(request),
            "today": company_today(),
            "today_totals": [
                (item.total.label, [(currency, amount_text(amount)) for currency, amount in item.amounts])
                for item in today_totals_for(user=request.user)
            ],
        }
        return super().index(request, extra_context)

    def work_cards(self, request) -> list[WorkCard]:
        cards = []
        for item in work_waiting_for(user=request.user):
            model = item.queue.model_class
            if model not in self._registry:  # a queue of a model this site does not show
                continue
            changelist = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist", current_app=self.name
            )
            url = f"{changelist}?{urlencode(item.queue.filters)}"
            cards.append(WorkCard(key=item.queue.key, label=item.queue.label, count=item.count, url=url))
        return cards


admin.site.__class__ = BackOfficeSite
