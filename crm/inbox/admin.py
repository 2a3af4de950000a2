"""Back office for the message centre: compose and send (through `message_send`, which audits), then follow
the reads. A sent message is not edited afterwards: users may already have read it."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from crm.content.models import Audience
from crm.inbox import selectors, services
from crm.inbox.models import PORTAL_ROLES, Delivery, Message, MessageState
from crm.users.models import Language, User


def _count_of(queryset) -> Coalesce:
    """A per-message row count as a subquery, so two counts never multiply each other's joins."""
    counted = queryset.filter(message=OuterRef("pk")).order_by().values("message").annotate(count=Count("pk"))
    return Coalesce(Subquery(counted.values("count"), output_field=IntegerField()), 0)


class MessageComposeForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label=_("send to"), choices=Message.Kind.choices, initial=Message.Kind.BROADCAST, widget=forms.RadioSelect
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("recipients"),
        queryset=User.objects.filter(role__in=PORTAL_ROLES),
        required=False,
        widget=AutocompleteSelectMultiple(Message._meta.get_field("recipients"), admin.site),
        help_text=_("Direct messages: the clients and IBs to send it to."),
    )
    languages = forms.MultipleChoiceField(
        label=_("languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Broadcasts: only users with these languages. None ticked: every language."),
    )

    class Meta:
        model = Message
        fields = ["kind", "recipients", "audience", "countries", "languages", "title_i18n", "content_i18n"]
        fields += ["sender", "published_at"]

    def send_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {
            "title_i18n": data.get("title_i18n"),
            "content_i18n": data.get("content_i18n"),
            "sender": data.get("sender", ""),
        }
        if data.get("kind") == Message.Kind.DIRECT:
            return {**arguments, "recipients": list(data.get("recipients") or [])}
        return {
            **arguments,
            "audience": data.get("audience") or Audience.ALL,
            "countries": list(data.get("countries") or []),
            "languages": data.get("languages") or [],
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("kind") == Message.Kind.DIRECT and (cleaned.get("countries") or cleaned.get("languages")):
            self.add_error("kind", _("A direct message has no segment: clear the countries and languages."))
        if cleaned.get("kind") == Message.Kind.BROADCAST and cleaned.get("recipients"):
            self.add_error("recipients", _("A broadcast goes to a segment: clear the recipients."))
        if not self.errors:
            # The service's own rules, shown next to the fields instead of failing at save time.
            for field, messages in services.message_send_problems(**self.send_arguments()).items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned


class PublishedFilter(admin.SimpleListFilter):
    title = _("published")
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("yes", _("Published")), ("no", _("Scheduled"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(published_at__lte=timezone.now())
        if self.value() == "no":
            return queryset.filter(published_at__gt=timezone.now())
        return queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    form = MessageComposeForm
    list_display = ["__str__", "kind", "addressed_to", "sender", "published_at", "is_published", "read_by"]
    list_filter = ["kind", "audience", PublishedFilter, ("sent_by", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["sent_by"]
    # Key lookups, so Chinese titles are found on every database (JSON text may store them escaped).
    search_fields = ["title_i18n__zh-CN", "title_i18n__en-US", "sender", "deliveries__user__email"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["countries"]
    compose_fieldsets = [
        (None, {"fields": ["kind"]}),
        (_("Direct message"), {"fields": ["recipients"]}),
        (_("Broadcast"), {"fields": ["audience", "countries", "languages"]}),
        (_("Message"), {"fields": ["title_i18n", "content_i18n", "sender", "published_at"]}),
    ]
    sent_fieldsets = [
        (None, {"fields": ["kind", "addressed_to", "reached", "read_by"]}),
        (_("Message"), {"fields": ["title_i18n", "content_i18n", "sender", "published_at"]}),
        (_("History"), {"fields": ["sent_by", "created_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("countries", "segment_languages")
            .annotate(
                recipient_count=_count_of(Delivery.objects.all()),
                read_count=_count_of(MessageState.objects.filter(read_at__isnull=False)),
            )
        )

    def get_fieldsets(self, request, obj=None):
        return self.compose_fieldsets if obj is None else self.sent_fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["addressed_to", "reached", "read_by"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:  # a sent message is only shown
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change=change, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        message = services.message_send(
            **form.send_arguments(), sent_by=request.user, publish_at=form.cleaned_data.get("published_at")
        )
        # The admin goes on with `obj` (its history entry, the redirect): make it the message just sent.
        obj.__dict__.update(message.__dict__)

    def save_related(self, request, form, formsets, change) -> None:
        """`message_send` wrote the recipients, countries and languages."""

    @admin.display(description=pgettext_lazy("message recipients", "to"))
    def addressed_to(self, message: Message) -> str:
        if not message.is_broadcast:
            count = getattr(message, "recipient_count", None)
            if count is None:
                count = message.deliveries.count()
            return ngettext("%(count)d user", "%(count)d users", count) % {"count": count}
        parts = [message.get_audience_display()]
        countries = [country.code for country in message.countries.all()]
        languages = [row.language for row in message.segment_languages.all()]
        if countries:
            parts.append(", ".join(sorted(countries)))
        if languages:
            parts.append(", ".join(sorted(languages)))
        return " · ".join(str(part) for part in parts)

    @admin.display(description=_("reaches"))
    def reached(self, message: Message) -> int:
        return selectors.message_reached_users(message=message).count()

    @admin.display(description=_("read by"), ordering="read_count")
    def read_by(self, message: Message) -> int:
        count = getattr(message, "read_count", None)
        return selectors.message_read_count(message=message) if count is None else count

    @admin.display(boolean=True, description=_("published"))
    def is_published(self, message: Message) -> bool:
        return message.is_published()
