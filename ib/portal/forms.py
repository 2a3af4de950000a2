"""Forms of the IB portal: the dashboard's period and the client list's filters (the API's)."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clients.models import KycStatus
from crm.users.models import User


class PeriodForm(forms.Form):
    date_type = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[
            ("today", _("Today")),
            ("yesterday", _("Yesterday")),
            ("this_week", _("This week")),
            ("this_month", _("This month")),
            ("last_month", _("Last month")),
            ("custom", _("Custom")),
        ],
    )
    start_date = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ClientFilterForm(forms.Form):
    """The filters of ib.client.list_clients."""

    client_user_id = forms.IntegerField(label=_("Client ID"), required=False, min_value=1, max_value=2**63 - 1)
    client_name = forms.CharField(label=_("Name"), required=False, max_length=150)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    kyc_status = forms.ChoiceField(
        label=_("KYC"),
        required=False,
        choices=[
            ("", _("Any")),
            (KycStatus.APPROVED, KycStatus.APPROVED.label),
            (KycStatus.DISAPPROVED, KycStatus.DISAPPROVED.label),
        ],
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *User.Status.choices])

    def filter(self, clients: QuerySet[User]) -> QuerySet[User]:
        data = self.cleaned_data
        if data.get("client_user_id"):
            clients = clients.filter(pk=data["client_user_id"])
        if data.get("client_name"):
            clients = clients.filter(name__icontains=data["client_name"].strip())
        if data.get("email"):
            clients = clients.filter(email__icontains=data["email"].strip())
        if data.get("kyc_status"):
            clients = clients.filter(client_profile__kyc_status=data["kyc_status"])
        if data.get("status"):
            clients = clients.filter(status=data["status"])
        return clients


class RebateAccountEnabledForm(forms.Form):
    enabled = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")
