"""The IB portal's pages: dashboard (cards, charts), clients, rebates, referral link, tree, messages.

Every page is the signed-in IB's (`IbRequiredMixin`): anyone else gets a page saying they are not an
IB, with the way to apply. Reads go through the shared selectors (`ib.selectors`,
`ib.dashboard.selectors`, `crm.inbox.selectors`), so a page shows exactly what the API shows.
"""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import TemplateView

from clients.portal.views import inbox_row
from clients.trading import selectors as trading_selectors
from clients.trading.models import TradingAccount
from crm.errors import ApplicationError, Forbidden, NotFound
from crm.inbox import selectors as inbox_selectors
from crm.inbox import services as inbox_services
from ib.dashboard import selectors as dashboard_selectors
from ib.models import ClientAttribution, CommissionLine, IbAncestry, IbProfile, RebateAccount
from ib.selectors import clients_visible_to, current_ib_of, ib_profile_of

from .forms import ClientFilterForm, PeriodForm, RebateAccountEnabledForm
from .referral import referral_link

PAGE_SIZE = 20
CARD_LABELS = [
    ("new_clients", _lazy("New clients")),
    ("active_traders", _lazy("Active traders")),
    ("deposits", _lazy("Deposits")),
    ("withdrawals", _lazy("Withdrawals")),
    ("net_deposits", _lazy("Net deposits")),
    ("lots", _lazy("Lots traded")),
    ("commission_earned", _lazy("Commission earned")),
    ("commission_paid", _lazy("Commission paid")),
]


class IbRequiredMixin(LoginRequiredMixin):
    """Signed in (else the login page) as an IB with a profile; staff have no portal (403); a client
    sees the "not an IB" page."""

    ib: IbProfile

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.user.is_staff:
            raise PermissionDenied
        try:
            self.ib = ib_profile_of(request.user)
        except Forbidden:
            return render(request, "ib/not_an_ib.html", status=403)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "ib": self.ib}


def page_of(request, rows):
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


# --- Dashboard ----------------------------------------------------------------------------------


class DashboardView(IbRequiredMixin, TemplateView):
    template_name = "ib/dashboard.html"

    def get_context_data(self, **kwargs):
        form = PeriodForm(self.request.GET or None)
        period = None
        if not self.request.GET or form.is_valid():
            data = form.cleaned_data if self.request.GET else {}
            try:
                period = dashboard_selectors.dashboard_period(
                    date_type=data.get("date_type") or None, start=data.get("start_date"), end=data.get("end_date")
                )
            except ApplicationError as error:
                for field, problems in error.fields.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
        cards = []
        if period is not None:
            figures = dashboard_selectors.dashboard_figures(ib=self.ib, period=period)
            cards = [(key, label, figures[key]) for key, label in CARD_LABELS]
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "period": period,
            "cards": cards,
            "currency": self.ib.plan.currency if self.ib.plan is not None else "USD",
            "last_update_time": dashboard_selectors.last_update_time(ib=self.ib),
            "chart_url": reverse("ib_portal:chart_data")
            + ("?" + self.request.GET.urlencode() if self.request.GET else ""),
        }


class ChartDataView(IbRequiredMixin, View):
    """The charts' JSON for the period the dashboard shows (same query string)."""

    def get(self, request):
        form = PeriodForm(request.GET or None)
        if request.GET and not form.is_valid():
            fields = {name: [str(problem) for problem in problems] for name, problems in form.errors.items()}
            return JsonResponse(
                {"code": "invalid_input", "message": _("Check the period."), "fields": fields}, status=400
            )
        data = form.cleaned_data if request.GET else {}
        try:
            period = dashboard_selectors.dashboard_period(
                date_type=data.get("date_type") or None, start=data.get("start_date"), end=data.get("end_date")
            )
        except ApplicationError as error:
            return JsonResponse({"code": error.code, "message": error.message, "fields": error.fields}, status=400)
        series = dashboard_selectors.chart_series(ib=self.ib, period=period)
        series["period"] = {key: str(value) for key, value in series["period"].items()}
        return JsonResponse(series)


# --- Clients ------------------------------------------------------------------------------------


class ClientListView(IbRequiredMixin, TemplateView):
    template_name = "ib/clients/list.html"

    def get_context_data(self, **kwargs):
        form = ClientFilterForm(self.request.GET or None)
        clients = clients_visible_to(ib=self.ib).select_related("client_profile").order_by("-id")
        if form.is_bound and form.is_valid():
            clients = form.filter(clients)
        elif form.is_bound:
            clients = clients.none()
        page, query = page_of(self.request, clients)
        current = {row.client_id: row.ib for row in _current_attributions([client.pk for client in page])}
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "page": page,
            "query": query,
            "rows": [(client, current.get(client.pk)) for client in page],
        }


def _current_attributions(client_ids: list[int]):
    return ClientAttribution.objects.filter(client_id__in=client_ids, effective_to__isnull=True).select_related(
        "ib__user"
    )


class ClientDetailView(IbRequiredMixin, TemplateView):
    template_name = "ib/clients/detail.html"

    def get_context_data(self, **kwargs):
        client = (
            clients_visible_to(ib=self.ib).select_related("client_profile").filter(pk=self.kwargs["client_id"]).first()
        )
        if client is None:
            raise Http404
        accounts = list(
            TradingAccount.objects.filter(user=client).select_related("account_type", "server").order_by("-id")
        )
        states = trading_selectors.account_snapshots_of(accounts)
        return {
            **super().get_context_data(**kwargs),
            "client": client,
            "client_ib": current_ib_of(client=client),
            "accounts": [(account, states.get(account.pk)) for account in accounts],
        }


# --- Rebates ------------------------------------------------------------------------------------


class RebateRecordListView(IbRequiredMixin, TemplateView):
    template_name = "ib/rebates/records.html"

    def get_context_data(self, **kwargs):
        lines = CommissionLine.objects.filter(ib=self.ib).select_related("deal", "client", "payout").order_by("-id")
        page, query = page_of(self.request, lines)
        return {**super().get_context_data(**kwargs), "page": page, "query": query}


class RebateAccountListView(IbRequiredMixin, TemplateView):
    template_name = "ib/rebates/accounts.html"

    def get_context_data(self, **kwargs):
        accounts = RebateAccount.objects.filter(ib=self.ib).select_related("trading_account").order_by("-id")
        return {**super().get_context_data(**kwargs), "accounts": accounts}


class RebateAccountEnabledView(IbRequiredMixin, View):
    def post(self, request, trading_account_id: int):
        from ib import services as ib_services

        form = RebateAccountEnabledForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose to enable or disable the account."))
            return redirect("ib_portal:rebate_accounts")
        try:
            ib_services.rebate_account_set_enabled(
                user=request.user, trading_account_id=trading_account_id, enabled=form.cleaned_data["enabled"]
            )
        except NotFound:
            raise Http404 from None
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("ib_portal:rebate_accounts")
        if form.cleaned_data["enabled"]:
            messages.success(request, _("Rebates are now paid into this account."))
        else:
            messages.success(request, _("The rebate account was disabled."))
        return redirect("ib_portal:rebate_accounts")


# --- Referral link and QR code ------------------------------------------------------------------


class ReferralView(IbRequiredMixin, TemplateView):
    template_name = "ib/referral.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "referral_link": referral_link(self.request, self.ib)}


class ReferralQrCodeView(IbRequiredMixin, View):
    """The referral link as a QR code (SVG, drawn here: no third-party service sees the link)."""

    def get(self, request):
        image = qrcode.make(referral_link(request, self.ib), image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
        buffer = io.BytesIO()
        image.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
        response["Cache-Control"] = "private, max-age=3600"
        return response


# --- IB tree ------------------------------------------------------------------------------------


class TreeView(IbRequiredMixin, TemplateView):
    """The IB's downline, nested, read in one query through the closure table."""

    template_name = "ib/tree.html"

    def get_context_data(self, **kwargs):
        rows = (
            IbAncestry.objects.filter(ancestor=self.ib, depth__gt=0)
            .select_related("ib__user")
            .order_by("depth", "ib_id")
        )
        children: dict[int, list[dict]] = {}
        for row in rows:
            children.setdefault(row.ib.parent_id, []).append({"ib": row.ib, "depth": row.depth, "children": []})
        nodes = [node for group in children.values() for node in group]
        for node in nodes:
            node["children"] = children.get(node["ib"].pk, [])
        return {**super().get_context_data(**kwargs), "tree": children.get(self.ib.pk, []), "size": len(nodes)}


# --- Messages -----------------------------------------------------------------------------------


class MessageListView(IbRequiredMixin, TemplateView):
    template_name = "ib/messages/list.html"

    def get_context_data(self, **kwargs):
        page, query = page_of(self.request, inbox_selectors.messages_for(user=self.request.user))
        rows = [inbox_row(message) for message in page]
        return {**super().get_context_data(**kwargs), "page": page, "query": query, "rows": rows}


class MessageDetailView(IbRequiredMixin, View):
    def get(self, request, message_id: int):
        try:
            inbox_services.message_mark_read(user=request.user, message_id=message_id)
            message = inbox_selectors.message_of(user=request.user, message_id=message_id)
        except NotFound:
            raise Http404 from None
        return render(request, "ib/messages/detail.html", {"ib": self.ib, "message": inbox_row(message)})
