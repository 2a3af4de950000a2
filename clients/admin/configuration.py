"""Back office for what staff configure: registration templates, questionnaires, the client rules;
and the e-verification sessions, to look at."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clients.models import (
    ClientSettings,
    EVerifySession,
    KycField,
    KycModule,
    Questionnaire,
    QuestionnaireQuestion,
    RegistrationAgreement,
    RegistrationModule,
    RegistrationTemplate,
)
from clients.models.questionnaires import question_options_with_ids
from crm.audit.services import audit_record
from crm.configuration.admin import SingletonAdmin

# --- Registration templates -------------------------------------------------------------------


class RegistrationModuleFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        modules = [
            form.cleaned_data.get("module")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if KycModule.QUESTIONNAIRE in modules and self.instance.questionnaire_id is None:
            raise forms.ValidationError(_("Choose the template's questionnaire, or remove the questionnaire module."))


class RegistrationModuleInline(admin.TabularInline):
    model = RegistrationModule
    formset = RegistrationModuleFormSet
    extra = 0
    fields = ["module", "position", "is_required", "title_i18n", "description_i18n", "fields_link"]
    readonly_fields = ["fields_link"]
    ordering = ["position", "id"]

    @admin.display(description=_("fields"))
    def fields_link(self, module: RegistrationModule) -> str:
        if not module.pk:
            return _("Save first, then edit its fields.")
        if not module.has_fields:
            return "—"
        url = reverse("admin:clients_registrationmodule_change", args=[module.pk])
        return format_html('<a href="{}">{}</a>', url, _("Edit fields (%(count)d)") % {"count": module.fields.count()})


class RegistrationAgreementInline(admin.StackedInline):
    model = RegistrationAgreement
    extra = 0
    fields = ["key", "position", "title_i18n", "url_i18n", "content_i18n"]


@admin.register(RegistrationTemplate)
class RegistrationTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "is_default", "questionnaire", "module_count", "updated_at"]
    list_filter = ["is_default"]
    search_fields = ["name", "country__code"]
    list_select_related = ["country", "questionnaire"]
    autocomplete_fields = ["questionnaire"]
    raw_id_fields = ["country"]
    fields = ["name", "is_default", "country", "questionnaire", "remark_i18n"]
    inlines = [RegistrationModuleInline, RegistrationAgreementInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(module_total=Count("modules"))

    @admin.display(description=_("modules"), ordering="module_total")
    def module_count(self, template: RegistrationTemplate) -> int:
        return template.module_total


class KycFieldInline(admin.StackedInline):
    model = KycField
    extra = 0
    fields = [("name", "kind", "is_required", "position", "max_length"), "label_i18n", "help_i18n", "options"]
    ordering = ["position", "id"]


@admin.register(RegistrationModule)
class RegistrationModuleAdmin(admin.ModelAdmin):
    """A template module's fields; reached from its template, not listed on the index."""

    fields = ["template", "module", "position", "is_required", "title_i18n", "description_i18n"]
    readonly_fields = ["template", "module"]
    list_display = ["template", "module", "position", "is_required"]
    list_select_related = ["template"]
    inlines = [KycFieldInline]

    def has_module_permission(self, request) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False  # modules are added on their template's page

    def get_inlines(self, request, obj):
        return [KycFieldInline] if obj is not None and obj.has_fields else []


# --- Questionnaires ---------------------------------------------------------------------------


class QuestionForm(forms.ModelForm):
    class Meta:
        model = QuestionnaireQuestion
        fields = ["position", "kind", "is_required", "max_length", "text_i18n", "options"]

    def clean_options(self):
        # Staff may leave ids out of new choices; they get the next free ones.
        return question_options_with_ids(self.cleaned_data.get("options"))


class QuestionInline(admin.StackedInline):
    model = QuestionnaireQuestion
    form = QuestionForm
    extra = 0
    fields = [("position", "kind", "is_required", "max_length"), "text_i18n", "options"]
    ordering = ["position", "id"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["__str__", "is_enabled", "question_count", "updated_at"]
    list_filter = ["is_enabled"]
    search_fields = ["name_i18n"]
    fields = ["name_i18n", "description_i18n", "is_enabled"]
    inlines = [QuestionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_total=Count("questions"))

    @admin.display(description=_("questions"), ordering="question_total")
    def question_count(self, questionnaire: Questionnaire) -> int:
        return questionnaire.question_total


# --- E-verification sessions (read-only) --------------------------------------------------------


@admin.register(EVerifySession)
class EVerifySessionAdmin(admin.ModelAdmin):
    list_display = [
        "session_id",
        "profile",
        "provider",
        "status",
        "attempt_times",
        "created_at",
        "expire_at",
        "completed_at",
    ]
    list_filter = ["status", "provider"]
    search_fields = ["=session_id", "=external_reference", "profile__user__email"]
    list_select_related = ["profile__user"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "profile",
        "provider",
        "session_id",
        "external_reference",
        "status",
        "attempt_times",
        "retry_times",
        "reason_code",
        "reason_msg",
        "redirect_url",
        "success_url",
        "failed_url",
        "expire_at",
        "created_at",
        "completed_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- The company's client rules ---------------------------------------------------------------


@admin.register(ClientSettings)
class ClientSettingsAdmin(SingletonAdmin):
    fieldsets = [
        (_("Trading accounts"), {"fields": ["live_account_requires", "demo_accounts_enabled"]}),
        (
            _("Electronic verification"),
            {
                "fields": [
                    "e_verify_provider",
                    "e_verify_approves_kyc",
                    "e_verify_session_minutes",
                    "e_verify_max_attempts",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="client_settings.changed",
            target=obj,
            data={name: form.cleaned_data[name] for name in form.changed_data},
        )
