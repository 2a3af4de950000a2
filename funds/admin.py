"""Back office for channels, crypto networks, client segments, exchange rates and payout accounts."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _

from crm.audit.services import audit_record
from funds import services
from funds.models import (
    Channel,
    ChannelCurrency,
    ClientSegment,
    CryptoNetwork,
    ExchangeRate,
    ExchangeRateHistory,
    PayoutAccount,
)

I18N_NAME_SEARCH = ["name_i18n__zh-CN", "name_i18n__en-US"]


@admin.register(CryptoNetwork)
class CryptoNetworkAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "coins", "confirmations", "address_example", "is_enabled", "position"]
    list_editable = ["is_enabled", "position"]
    list_filter = ["is_enabled", "currencies"]
    search_fields = ["code", "name", "address_example"]
    autocomplete_fields = ["currencies"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("currencies")

    @admin.display(description=_("coins"))
    def coins(self, network: CryptoNetwork) -> str:
        return ", ".join(currency.code for currency in network.currencies.all())


@admin.register(ClientSegment)
class ClientSegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "member_count"]
    list_filter = ["channels"]
    search_fields = ["name", "code", "members__email"]
    autocomplete_fields = ["members"]
    prepopulated_fields = {"code": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("members", distinct=True))

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, segment: ClientSegment) -> int:
        return segment.member_total


class ChannelCurrencyInline(admin.TabularInline):
    model = ChannelCurrency
    extra = 0
    fields = [
        "currency",
        "direction",
        "min_amount",
        "max_amount",
        "fixed_fee",
        "percent_fee",
        "is_enabled",
        "position",
    ]
    autocomplete_fields = ["currency"]
    ordering = ["direction", "position", "id"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "method",
        "network",
        "currency_codes",
        "can_deposit",
        "can_withdraw",
        "provider",
        "is_enabled",
        "position",
    ]
    list_editable = ["is_enabled", "position"]
    list_filter = ["method", "can_deposit", "can_withdraw", "is_enabled", "network", "provider", "countries"]
    search_fields = [*I18N_NAME_SEARCH, "provider", "currencies__currency__code"]
    list_select_related = ["network"]
    autocomplete_fields = ["network", "countries", "segments"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ChannelCurrencyInline]
    fieldsets = [
        (None, {"fields": ["method", "network", "name_i18n", "provider", "is_enabled", "position"]}),
        (_("Directions and audience"), {"fields": ["can_deposit", "can_withdraw", "countries", "segments"]}),
        (_("What clients see"), {"fields": ["instructions_i18n", "pay_data"]}),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        rows = ChannelCurrency.objects.select_related("currency").order_by("direction", "position", "id")
        return super().get_queryset(request).prefetch_related(Prefetch("currencies", queryset=rows))

    def get_search_results(self, request, queryset, search_term):
        queryset, _may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset, True  # the currency search joins the currency rows

    @admin.display(description=_("currencies"))
    def currency_codes(self, channel: Channel) -> str:
        arrows = {"deposit": "↓", "withdrawal": "↑"}
        return ", ".join(f"{row.currency.code}{arrows[row.direction]}" for row in channel.currencies.all())

    def save_related(self, request, form, formsets, change):
        # Fees and limits are money rules: who changed them, and what, goes to the audit trail.
        super().save_related(request, form, formsets, change)
        changed = list(form.changed_data)
        if any(formset.has_changed() for formset in formsets):
            changed.append("currencies")
        if changed or not change:
            audit_record(
                actor=request.user,
                action="channel.changed" if change else "channel.created",
                target=form.instance,
                data={"changed": changed},
            )


class ExchangeRateHistoryInline(admin.TabularInline):
    model = ExchangeRateHistory
    extra = 0
    fields = ["set_at", "previous_rate", "rate", "set_by"]
    readonly_fields = fields
    can_delete = False
    ordering = ["-set_at", "-id"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Rates change only through `exchange_rate_set`, which keeps the history and the audit trail."""

    list_display = ["__str__", "from_currency", "to_currency", "rate", "updated_at", "updated_by"]
    list_filter = ["from_currency", "to_currency"]
    search_fields = ["from_currency__code", "to_currency__code"]
    list_select_related = ["from_currency", "to_currency", "updated_by"]
    autocomplete_fields = ["from_currency", "to_currency"]
    fields = ["from_currency", "to_currency", "rate", "updated_at", "updated_by"]
    inlines = [ExchangeRateHistoryInline]
    date_hierarchy = "updated_at"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["updated_at", "updated_by"]
        return ["from_currency", "to_currency", "updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        saved = services.exchange_rate_set(
            from_currency=obj.from_currency, to_currency=obj.to_currency, rate=obj.rate, by=request.user
        )
        obj.pk, obj.updated_at, obj.updated_by = saved.pk, saved.updated_at, saved.updated_by
        obj._state.adding, obj._state.db = False, saved._state.db

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the history would lose its rate; a wrong rate is corrected by setting a new one


@admin.register(PayoutAccount)
class PayoutAccountAdmin(admin.ModelAdmin):
    """Clients' own payout accounts: visible for finance and support, changed only by their owners."""

    list_display = [
        "id",
        "owner",
        "payment_method",
        "account_holder_name",
        "network",
        "is_default",
        "is_deleted",
        "created_at",
    ]
    list_filter = ["payment_method", "is_default", "is_deleted", "network"]
    search_fields = ["owner__email", "account_holder_name"]
    list_select_related = ["owner", "network"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
