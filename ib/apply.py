"""The client portal's "become an IB" page: the application form, and where the last one stands.

It lives in `ib` (the client portal's own views may not import the IB network); the client portal
links to it. IBs are sent to their portal's start; staff have no portal (403).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from clients.portal.forms import add_service_errors
from clients.portal.views import ClientRequiredMixin
from crm.errors import ApplicationError
from ib import selectors
from ib.models import IbApplication
from ib.services.applications import MESSAGE_MAX_LENGTH, ib_application_submit


class IbApplicationForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("About your business"),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Where your clients come from, how many you expect, your website or channels."),
    )


class IbApplyView(ClientRequiredMixin, View):
    template_name = "ib/apply.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_staff:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form: IbApplicationForm):
        user = self.request.user
        latest = selectors.ib_application_latest_of(user=user)
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "is_ib": user.is_ib,
                "latest": latest,
                "latest_status_label": IbApplication.Status(latest.status).label if latest else "",
                "can_apply": not user.is_ib and (latest is None or latest.status != IbApplication.Status.PENDING),
            },
        )

    def get(self, request):
        return self.render_page(IbApplicationForm())

    def post(self, request):
        form = IbApplicationForm(request.POST)
        if not form.is_valid():
            return self.render_page(form)
        try:
            ib_application_submit(user=request.user, message=form.cleaned_data["message"])
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.render_page(form)
        messages.success(request, _("Thank you. We will review your application and let you know."))
        return redirect("ib_apply")


urlpatterns = [path("", IbApplyView.as_view(), name="ib_apply")]
