"""Back office of the ledger: everything read-only (a correction is a new journal), reconciliation runs."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin, messages
from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from crm.configuration.models import Currency
from funds.ledger.models import Entry, Journal, LedgerAccount, ReconciliationDifference, ReconciliationRun
from funds.ledger.tasks import reconcile_ledger


def _precision_of(currency_field: str) -> Subquery:
    """The decimal places of the currency named by `currency_field`, in the same query."""
    return Subquery(Currency.objects.filter(code=OuterRef(currency_field)).values("precision")[:1])


def _shown(amount: Decimal, precision: int | None) -> str:
    """An amount at its currency's precision (as stored when the currency is unknown)."""
    if precision is None:
        return f"{amount:f}"
    return f"{amount.quantize(Decimal(1).scaleb(-precision)):f}"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "currency", "balance"]
    list_filter = ["kind", "currency"]
    search_fields = ["code", "name", "trading_account__login", "trading_account__user__email"]
    list_select_related = ["trading_account", "channel", "server"]
    readonly_fields = ["code", "name", "kind", "currency", "trading_account", "channel", "server", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LedgerAccount]:
        zero = Value(Decimal(0), output_field=DecimalField(max_digits=20, decimal_places=8))
        return (
            super()
            .get_queryset(request)
            .annotate(entries_total=Coalesce(Sum("entries__amount"), zero), precision=_precision_of("currency"))
        )

    @admin.display(description=_("balance"), ordering="entries_total")
    def balance(self, account: LedgerAccount) -> str:
        # The same rule as `ledger_balance`: on the account's normal side.
        total = account.entries_total
        return _shown(-total if account.is_credit_normal else total, account.precision)


class EntryInline(ReadOnlyInline):
    model = Entry
    fields = ["account", "debit", "credit"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entry]:
        return (
            super()
            .get_queryset(request)
            .select_related("account")
            .annotate(precision=_precision_of("account__currency"))
        )

    @admin.display(description=_("debit"))
    def debit(self, entry: Entry) -> str:
        return _shown(entry.amount, entry.precision) if entry.amount > 0 else ""

    @admin.display(description=_("credit"))
    def credit(self, entry: Entry) -> str:
        return _shown(-entry.amount, entry.precision) if entry.amount < 0 else ""


@admin.register(Journal)
class JournalAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "kind", "reference", "memo", "created_by"]
    list_filter = ["kind"]
    search_fields = ["reference", "memo", "idempotency_key", "entries__account__code"]
    date_hierarchy = "created_at"
    list_select_related = ["created_by"]
    readonly_fields = ["kind", "reference", "memo", "reverses", "created_by", "created_at", "idempotency_key"]
    inlines = [EntryInline]


class DifferenceInline(ReadOnlyInline):
    model = ReconciliationDifference
    fields = [
        "trading_account",
        "login",
        "currency",
        "platform_balance",
        "ledger_balance",
        "in_flight",
        "trading_result",
        "difference",
        "note",
    ]
    readonly_fields = fields


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "started_at", "finished_at", "server", "status", "accounts_checked", "differences_found"]
    list_filter = ["status", "server"]
    list_select_related = ["server", "started_by"]
    readonly_fields = [
        "server",
        "status",
        "accounts_checked",
        "differences_found",
        "error",
        "started_by",
        "started_at",
        "finished_at",
    ]
    inlines = [DifferenceInline]
    change_list_template = "admin/ledger/reconciliationrun/change_list.html"

    def get_urls(self):
        return [
            path("run/", self.admin_site.admin_view(self.run_now), name="ledger_reconciliationrun_run"),
            *super().get_urls(),
        ]

    def run_now(self, request: HttpRequest):
        """Start a reconciliation now (POST) in the background, as the schedule does."""
        if request.method == "POST" and self.has_view_permission(request):
            reconcile_ledger.delay(started_by_id=request.user.pk)
            self.message_user(
                request, _("Reconciliation started; its run appears here when it is done."), messages.SUCCESS
            )
        return HttpResponseRedirect(reverse("admin:ledger_reconciliationrun_changelist"))


@admin.register(ReconciliationDifference)
class ReconciliationDifferenceAdmin(ReadOnlyAdmin):
    list_display = [
        "run",
        "login",
        "currency",
        "platform_balance",
        "ledger_balance",
        "in_flight",
        "trading_result",
        "difference",
        "note",
    ]
    list_filter = ["currency", "server"]
    search_fields = ["login", "trading_account__user__email"]
    list_select_related = ["run", "server"]
