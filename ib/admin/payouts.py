"""Back office of rebate payouts: the payout queue (approve, hold, release) and the commission lines.

Payouts move only through `ib.payouts.services`, from the queue (one or many at once) or from a
payout's page. A payout's lines are listed on the commission line changelist it links to (a payout
may gather thousands: an inline would render them all). Commission lines are read-only: the engine
writes them and nothing edits them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm.configuration.models import Currency
from funds.money import format_amount
from funds.movements.admin import (
    Decision,
    MovementEventInline,
    MovementQueueAdmin,
    ReasonForm,
    admin_link,
    approve_decision,
)
from funds.movements.admin import operation_link as platform_operation_link
from funds.movements.exports import Columns, local_time
from ib.models import CommissionLine, RebatePayout, RebatePayoutEvent
from ib.payouts import services

EXPORT_COLUMNS: Columns = [
    ("order_number", lambda p: p.order_number),
    ("created_at", lambda p: local_time(p.created_at)),
    ("status", lambda p: p.status),
    ("ib_email", lambda p: p.user.email),
    ("ib_name", lambda p: p.user.name),
    ("login", lambda p: p.rebate_account.login),
    ("currency", lambda p: p.currency),
    ("amount", lambda p: exact_amount(p)),
    ("lines", lambda p: p.line_count),
    ("decided_by", lambda p: p.decided_by.email if p.decided_by_id else ""),
    ("granted_at", lambda p: local_time(p.granted_at)),
]


def exact_amount(payout: RebatePayout) -> str:
    """At the currency's precision, or with every decimal the lines had when they had more.

    The precision comes annotated by the queue's queryset (one query per page, not one per row)."""
    precision = getattr(payout, "currency_precision", None)
    if precision is None:
        return format_amount(payout.amount, payout.currency)
    shown = payout.amount.quantize(Decimal(1).scaleb(-precision))
    return f"{shown:f}" if shown == payout.amount else f"{payout.amount.normalize():f}"


class RebatePayoutEventInline(MovementEventInline):
    model = RebatePayoutEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]


def _lines_url(payout: RebatePayout) -> str:
    return f"{reverse('admin:ib_commissionline_changelist')}?payout__id__exact={payout.pk}"


@admin.register(RebatePayout)
class RebatePayoutAdmin(MovementQueueAdmin):
    decisions = (
        approve_decision(
            description=_("Approve the selected pending payouts"),
            call=lambda pk, by: services.payout_approve(payout_id=pk, approved_by=by),
            done=lambda count: (
                ngettext("%(count)d payout approved.", "%(count)d payouts approved.", count) % {"count": count}
            ),
        ),
        Decision(
            name="hold",
            action="hold_selected",
            description=_("Hold the selected pending payouts…"),
            call=lambda pk, by, data: services.payout_hold(payout_id=pk, held_by=by, reason=data["reason"]),
            done=lambda count: ngettext("%(count)d payout held.", "%(count)d payouts held.", count) % {"count": count},
            form_class=ReasonForm,
            title=_("Hold payouts"),
            intro=_("These payouts will wait, set aside, until someone releases them:"),
            button=_("Hold"),
        ),
        Decision(
            name="release",
            action="release_selected",
            description=_("Release the selected held payouts"),
            call=lambda pk, by, data: services.payout_release(payout_id=pk, released_by=by),
            done=lambda count: (
                ngettext("%(count)d payout released.", "%(count)d payouts released.", count) % {"count": count}
            ),
        ),
    )
    export_columns = EXPORT_COLUMNS
    export_prefix = "rebate-payouts"
    list_display = [
        "order_number",
        "created_at",
        "user",
        "login",
        "amount_display",
        "lines_link",
        "status",
        "decided_by",
        "granted_at",
    ]
    list_filter = ["status", "currency", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["order_number", "user__email", "=rebate_account__login"]
    list_select_related = ["user", "rebate_account", "decided_by"]
    inlines = [RebatePayoutEventInline]
    change_form_template = "admin/ib/rebatepayout/change_form.html"
    fields = [
        "order_number",
        "status",
        "ib",
        "user",
        "rebate_account",
        "amount_display",
        "lines_link",
        "remark",
        "decided_by",
        "journal_link",
        "operation_link",
        "created_at",
        "granted_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[RebatePayout]:
        precision = Currency.objects.filter(code=OuterRef("currency")).values("precision")[:1]
        return super().get_queryset(request).annotate(currency_precision=Subquery(precision))

    @admin.display(description=_("login"), ordering="rebate_account__login")
    def login(self, payout: RebatePayout) -> int:
        return payout.rebate_account.login

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, payout: RebatePayout) -> str:
        return f"{exact_amount(payout)} {payout.currency}"

    @admin.display(description=_("lines"), ordering="line_count")
    def lines_link(self, payout: RebatePayout) -> str:
        return format_html('<a href="{}">{}</a>', _lines_url(payout), payout.line_count)

    @admin.display(description=_("journal"))
    def journal_link(self, payout: RebatePayout) -> str:
        return admin_link(payout.journal, "ledger_journal_change")

    @admin.display(description=_("platform operation"))
    def operation_link(self, payout: RebatePayout) -> str:
        return platform_operation_link(payout.operation)

    def decision_line(self, payout: RebatePayout) -> str:
        amount = exact_amount(payout)
        return f"{payout.order_number} — {payout.user} — {amount} {payout.currency} ({payout.get_status_display()})"


class PaidFilter(admin.SimpleListFilter):
    title = _("paid")
    parameter_name = "in_payout"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", _("Not in a payout yet")), ("yes", _("In a payout"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(payout__isnull=self.value() == "no")
        return queryset


@admin.register(CommissionLine)
class CommissionLineAdmin(admin.ModelAdmin):
    """What the engine computed, read-only. Filter by IB or payout from their links
    (`?ib__id__exact=`, `?payout__id__exact=`), or search by IB e-mail, deal ticket or order number."""

    list_display = [
        "id",
        "calculated_at",
        "ib",
        "client",
        "deal_link",
        "deal_revision",
        "level",
        "kind",
        "lots",
        "amount",
        "currency",
        "payout_link",
    ]
    list_filter = ["kind", PaidFilter, "level", "currency", ("calculated_at", admin.DateFieldListFilter)]
    search_fields = ["ib__user__email", "=deal__deal_ticket", "=payout__order_number"]
    list_select_related = ["ib__user", "client", "deal", "payout"]
    show_full_result_count = False
    fields = [
        "deal",
        "deal_revision",
        "ib",
        "client",
        "level",
        "kind",
        "plan_version",
        "rate",
        "lots",
        "amount",
        "currency",
        "reverses",
        "calculated_at",
        "payout",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("deal"), ordering="deal__deal_ticket")
    def deal_link(self, line: CommissionLine) -> str:
        return format_html("#{}", line.deal.deal_ticket)

    @admin.display(description=_("payout"), ordering="payout")
    def payout_link(self, line: CommissionLine) -> str:
        if line.payout is None:
            return "-"
        url = reverse("admin:ib_rebatepayout_change", args=[line.payout_id])
        return format_html('<a href="{}">{}</a>', url, line.payout.order_number)
