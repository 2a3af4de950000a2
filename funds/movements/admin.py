"""The back-office queue every movement shares: a read-only list with filters and search, decisions on
one or many rows through the services (with a form page first when a decision needs a reason or a
reference), its steps inline, and CSV / Excel exports of the queue as filtered.

A movement's admin subclasses `MovementQueueAdmin` and declares its `decisions`: for each, the
service it calls and the words staff read. The queue's actions (`<action>`), one movement's buttons
(URL `<app>_<model>_<name>`), the permission check and the pages are built here from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crm.errors import ApplicationError
from funds.movements.exports import Columns, csv_response, export_name, export_rows, xlsx_response


@dataclass(frozen=True)
class Decision:
    """A decision staff make on movements, one service call per movement.

    `call(movement_id, staff, form_data)` calls the service; `done(count)` says how many went through.
    Without `form_class` it is made by a click (approve); with one, a page asks for the form first
    (a reason, a payment reference) with `title`, `intro` and `button`.
    """

    name: str  # the URL of one movement's button: .../<id>/<name>/
    action: str  # the queue's action: "reject_selected"
    description: str | Promise  # the action's label in the queue
    call: Callable[[int, Any, dict[str, Any]], object]
    done: Callable[[int], str]
    form_class: type[forms.Form] | None = None
    title: str | Promise = ""
    intro: str | Promise = ""
    button: str | Promise = ""


def approve_decision(
    *, description: str | Promise, call: Callable[[int, Any], object], done: Callable[[int], str]
) -> Decision:
    """Approve by a click: `call(movement_id, staff)`."""
    return Decision(
        name="approve",
        action="approve_selected",
        description=description,
        call=lambda pk, by, data: call(pk, by),
        done=done,
    )


def reject_decision(
    *,
    description: str | Promise,
    call: Callable[[int, Any, str], object],
    done: Callable[[int], str],
    title: str | Promise,
    intro: str | Promise,
) -> Decision:
    """Reject, asking for the reason first: `call(movement_id, staff, reason)`."""
    return Decision(
        name="reject",
        action="reject_selected",
        description=description,
        call=lambda pk, by, data: call(pk, by, data["reason"]),
        done=done,
        form_class=ReasonForm,
        title=title,
        intro=intro,
        button=_("Reject"),
    )


def admin_link(obj: Model | None, view: str) -> str:
    if obj is None:
        return "-"
    return format_html('<a href="{}">#{}</a>', reverse(f"admin:{view}", args=[obj.pk]), obj.pk)


def operation_link(operation: Any) -> str:
    if operation is None:
        return "-"
    return format_html(
        '<a href="{}">#{} ({})</a>',
        reverse("admin:platforms_platformoperation_change", args=[operation.pk]),
        operation.pk,
        operation.get_status_display(),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class PaymentReferenceForm(forms.Form):
    payment_reference = forms.CharField(
        label=_("Payment reference"), max_length=100, help_text=_("The bank's or the blockchain's reference.")
    )


class AmountFilter(admin.SimpleListFilter):
    """An amount of the movement (`field`, in its own currency), in bands."""

    title = _("amount")
    parameter_name = "amount"
    BANDS = {
        "lt1000": (None, Decimal("1000")),
        "1000-10000": (Decimal("1000"), Decimal("10000")),
        "10000-100000": (Decimal("10000"), Decimal("100000")),
        "gte100000": (Decimal("100000"), None),
    }
    field = "amount"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("lt1000", _("below 1,000")),
            ("1000-10000", _("1,000 to 10,000")),
            ("10000-100000", _("10,000 to 100,000")),
            ("gte100000", _("100,000 and above")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        band = self.BANDS.get(self.value() or "")
        if band is None:
            return queryset
        low, high = band
        if low is not None:
            queryset = queryset.filter(**{f"{self.field}__gte": low})
        if high is not None:
            queryset = queryset.filter(**{f"{self.field}__lt": high})
        return queryset


class MovementEventInline(admin.TabularInline):
    """A movement's steps, read-only."""

    extra = 0
    can_delete = False
    fields = ["created_at", "action", "from_status", "to_status", "actor", "reason"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return list(self.fields or [])

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MovementQueueAdmin(admin.ModelAdmin):
    """A movement's queue. Rows change only through the services the decisions call; nobody adds, edits
    or deletes one here. Deciding needs the model's change permission (given to the staff who decide)."""

    decisions: ClassVar[tuple[Decision, ...]] = ()
    export_columns: ClassVar[Columns]
    export_prefix: ClassVar[str]  # the file's name and the sheet's ("deposits")
    change_list_template = "admin/movements/change_list.html"
    # Queues grow by the hundred thousand: one COUNT per page, not two, and no date_hierarchy (its
    # drilldown runs SELECT DISTINCT date_trunc(...) over the whole table; the date filter does it).
    show_full_result_count = False
    decision_form_template = "admin/movements/decision_form.html"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.actions = [_queue_action(decision) for decision in cls.decisions]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_decide_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    # --- making decisions -------------------------------------------------------------------------------

    def run_for_each(
        self, request: HttpRequest, ids: Iterable[int], call: Callable[[int], object], done: Callable[[int], str]
    ) -> int:
        """`call` each id in pk order (each in its own transaction, inside the service), reporting
        refusals row by row and the count done."""
        count = 0
        for object_id in sorted(ids):
            try:
                call(object_id)
            except ApplicationError as error:
                self.message_user(request, f"#{object_id}: {error.message}", messages.WARNING)
            else:
                count += 1
        if count:
            self.message_user(request, done(count), messages.SUCCESS)
        return count

    def decision_line(self, obj: Any) -> str:
        """How a row is listed on a decision's form page."""
        return f"{obj} — {obj.user} — {obj.get_status_display()}"

    def decide(
        self, request: HttpRequest, decision: Decision, queryset: QuerySet[Any], *, action: str | None
    ) -> TemplateResponse | None:
        """Make `decision` on every row of `queryset`; a decision with a form first shows its page (and
        returns it) until the form is valid. `action`: the queue's action, None from one movement's page."""
        data: dict[str, Any] = {}
        if decision.form_class is not None:
            form = decision.form_class(request.POST if "apply" in request.POST else None)
            if "apply" not in request.POST or not form.is_valid():
                return self._form_page(request, decision, queryset, form, action=action)
            data = form.cleaned_data
        self.run_for_each(
            request,
            queryset.values_list("pk", flat=True),
            lambda pk: decision.call(pk, request.user, data),
            decision.done,
        )
        return None

    def _form_page(
        self, request: HttpRequest, decision: Decision, queryset: QuerySet[Any], form: forms.Form, *, action: str | None
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": decision.title,
            "intro": decision.intro,
            "button": decision.button,
            "opts": self.opts,
            "rows": [(obj.pk, self.decision_line(obj)) for obj in queryset],
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, self.decision_form_template, context)

    # --- one movement's buttons, and exports ------------------------------------------------------------

    def url_name(self, suffix: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{suffix}"

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            *(
                path(
                    f"<int:object_id>/{decision.name}/",
                    wrap(partial(self.decision_view, decision=decision)),
                    name=self.url_name(decision.name),
                )
                for decision in self.decisions
            ),
            path("export/csv/", wrap(self.export_csv_view), name=self.url_name("export_csv")),
            path("export/xlsx/", wrap(self.export_xlsx_view), name=self.url_name("export_xlsx")),
            *super().get_urls(),
        ]

    def decision_view(self, request: HttpRequest, object_id: int, *, decision: Decision) -> HttpResponse:
        """One movement's button: a click decides on POST; a decision with a form shows its page first."""
        change_url = reverse(f"admin:{self.url_name('change')}", args=[object_id])
        if not self.has_decide_permission(request):
            return HttpResponseRedirect(change_url)
        if decision.form_class is None:
            if request.method == "POST":
                self.run_for_each(request, [object_id], lambda pk: decision.call(pk, request.user, {}), decision.done)
            return HttpResponseRedirect(change_url)
        get_object_or_404(self.model, pk=object_id)
        response = self.decide(request, decision, self.model.objects.filter(pk=object_id), action=None)
        return response or HttpResponseRedirect(change_url)

    def _filtered(self, request: HttpRequest) -> QuerySet[Any]:
        """The queue as the changelist shows it, with the same filters and search."""
        changelist = self.get_changelist_instance(request)
        return changelist.get_queryset(request).select_related(*self.list_select_related).order_by("-id")

    def export_csv_view(self, request: HttpRequest) -> HttpResponseBase:
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        rows = export_rows(self._filtered(request), self.export_columns)
        return csv_response(rows, export_name(self.export_prefix, "csv"))

    def export_xlsx_view(self, request: HttpRequest) -> HttpResponseBase:
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        rows = export_rows(self._filtered(request), self.export_columns)
        return xlsx_response(rows, export_name(self.export_prefix, "xlsx"), self.export_prefix)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "export_csv_url": reverse(f"admin:{self.url_name('export_csv')}"),
            "export_xlsx_url": reverse(f"admin:{self.url_name('export_xlsx')}"),
        }
        return super().changelist_view(request, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_decide": self.has_decide_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)


def _queue_action(decision: Decision) -> Callable[[MovementQueueAdmin, HttpRequest, QuerySet[Any]], Any]:
    """The queue's action for `decision`, shown to staff who may decide."""

    def action(model_admin: MovementQueueAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        return model_admin.decide(request, decision, queryset, action=decision.action)

    action.__name__ = decision.action
    return admin.action(description=decision.description, permissions=["decide"])(action)
