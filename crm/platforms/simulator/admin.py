"""Back office for the simulator: look inside the simulated platform, tune its market, inject faults."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm.platforms.errors import PlatformError
from crm.platforms.simulator.corrections import sim_deal_correct, sim_deal_delete
from crm.platforms.simulator.models import (
    SimAccount,
    SimBalanceOperation,
    SimDeal,
    SimFault,
    SimPendingOrder,
    SimPosition,
    SimSymbol,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """What the platform holds changes through the gateway only, as on a real server."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SimAccount)
class SimAccountAdmin(ReadOnlyAdmin):
    list_display = ["login", "server", "group", "currency", "leverage", "balance", "credit", "is_demo", "created_at"]
    list_filter = ["server", "is_demo", "currency"]
    list_select_related = ["server"]
    search_fields = ["=login", "email", "name"]
    exclude = ["main_password", "investor_password"]


@admin.register(SimBalanceOperation)
class SimBalanceOperationAdmin(ReadOnlyAdmin):
    list_display = ["deal_id", "server", "account", "kind", "amount", "balance_after", "idempotency_key", "created_at"]
    list_filter = ["server", "kind"]
    list_select_related = ["server", "account"]
    search_fields = ["=deal_id", "=account__login", "idempotency_key"]


class DealCorrectionForm(forms.Form):
    """New figures for the selected deals; what is left empty stays as it is."""

    volume_lots = forms.DecimalField(
        label=_("volume (lots)"), required=False, min_value=Decimal("0.01"), decimal_places=2
    )
    profit = forms.DecimalField(label=_("profit"), required=False, decimal_places=2)
    commission = forms.DecimalField(label=_("commission"), required=False, decimal_places=2)
    swap = forms.DecimalField(label=_("swap"), required=False, decimal_places=2)
    spread_cost = forms.DecimalField(label=_("spread cost"), required=False, decimal_places=2)


@admin.register(SimDeal)
class SimDealAdmin(ReadOnlyAdmin):
    """Deals change as an MT5 manager changes them: corrected or deleted through the actions, balance following."""

    list_display = [
        "deal_id",
        "account",
        "symbol",
        "side",
        "volume_lots",
        "close_time",
        "profit",
        "commission",
        "swap",
        "spread_cost",
    ]
    list_filter = ["server", "symbol", "side"]
    list_select_related = ["account"]
    search_fields = ["=deal_id", "=account__login"]
    date_hierarchy = "close_time"
    actions = ["correct_deals", "delete_deals_on_platform"]

    def _run(self, request, queryset, call, done_message) -> None:
        done = 0
        for deal in queryset.select_related("server").order_by("deal_id"):
            try:
                call(deal)
            except PlatformError as error:
                self.message_user(request, f"#{deal.deal_id}: {error.message}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)

    def _confirm(self, request, queryset, *, action: str, title: str, form=None) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/simulator/deal_action_form.html", context)

    @admin.action(description=_("Correct the figures (as a platform manager)"))
    def correct_deals(self, request, queryset):
        form = DealCorrectionForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            figures = {name: value for name, value in form.cleaned_data.items() if value is not None}
            self._run(
                request,
                queryset,
                lambda deal: sim_deal_correct(server=deal.server, deal_id=deal.deal_id, **figures),
                lambda done: (
                    ngettext("%(count)d deal corrected.", "%(count)d deals corrected.", done) % {"count": done}
                ),
            )
            return None
        return self._confirm(request, queryset, action="correct_deals", title=_("Correct deals"), form=form)

    @admin.action(description=_("Delete on the platform (as a platform manager)"))
    def delete_deals_on_platform(self, request, queryset):
        if "apply" in request.POST:
            self._run(
                request,
                queryset,
                lambda deal: sim_deal_delete(server=deal.server, deal_id=deal.deal_id),
                lambda done: ngettext("%(count)d deal deleted.", "%(count)d deals deleted.", done) % {"count": done},
            )
            return None
        return self._confirm(request, queryset, action="delete_deals_on_platform", title=_("Delete deals"))


@admin.register(SimPosition)
class SimPositionAdmin(ReadOnlyAdmin):
    list_display = ["position_id", "account", "symbol", "side", "volume_lots", "open_time", "open_price", "close_at"]
    list_filter = ["server", "symbol"]
    list_select_related = ["account"]
    search_fields = ["=position_id", "=account__login"]


@admin.register(SimPendingOrder)
class SimPendingOrderAdmin(ReadOnlyAdmin):
    list_display = ["order_id", "account", "symbol", "order_type", "volume_lots", "price", "placed_at", "expires_at"]
    list_filter = ["server", "symbol", "order_type"]
    list_select_related = ["account"]
    search_fields = ["=order_id", "=account__login"]


@admin.register(SimSymbol)
class SimSymbolAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "digits", "contract_size", "base_price", "daily_volatility_bp", "spread_points"]
    list_filter = ["group"]
    search_fields = ["name"]


@admin.register(SimFault)
class SimFaultAdmin(admin.ModelAdmin):
    list_display = ["id", "server", "operation", "fault", "remaining", "seconds", "created_at"]
    list_filter = ["server", "fault"]
    list_select_related = ["server"]
