"""Portal forms. They check shapes only; the services decide, and their field errors land on the fields."""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from crm.api.languages import localized
from crm.errors import ApplicationError
from crm.users.models import Language

INVITE_SESSION_KEY = "portal_invite_code"


def add_service_errors(form: forms.Form, error: ApplicationError, *, field_names: dict[str, str] | None = None) -> None:
    """Put a service's refusal on `form`: each message on its field (renamed by `field_names`),
    the rest, or the message itself when there are no field errors, above the form."""
    field_names = field_names or {}
    placed = False
    for name, messages in error.fields.items():
        field = field_names.get(name, name)
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            if field in form.fields:
                form.add_error(field, str(message))
                placed = True
            else:
                form.add_error(None, str(message))
    if not placed and error.message not in form.non_field_errors():
        form.add_error(None, error.message)


class SignupForm(AllauthSignupForm):
    """allauth's e-mail sign-up with the IB's invite code (from `?invite=`, kept in the session)."""

    invite_code = forms.CharField(
        label=_("Invite code"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("Invite code (optional)")}),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=Language.choices)
    next = forms.CharField(required=False)


# --- KYC --------------------------------------------------------------------------------------
# Every field is optional here: required, formats, choices and lengths are the KYC service's to judge,
# so the portal shows exactly the errors the API gives.


def kyc_form_field(spec, *, language: str, countries: list[tuple[str, str]]) -> forms.Field:
    from clients.models import KycField

    label = localized(spec.label_i18n, language) or spec.name
    help_text = localized(spec.help_i18n, language)
    common = {"label": label, "help_text": help_text, "required": False}
    widget_attrs = {"required": True} if spec.is_required and spec.kind != KycField.Kind.FILE else {}
    match spec.kind:
        case KycField.Kind.DATE:
            return forms.CharField(widget=forms.DateInput(attrs={"type": "date", **widget_attrs}), **common)
        case KycField.Kind.SELECT:
            options = [(option["value"], localized(option.get("label_i18n"), language)) for option in spec.options]
            return forms.CharField(widget=forms.Select(choices=[("", "—"), *options], attrs=widget_attrs), **common)
        case KycField.Kind.COUNTRY:
            return forms.CharField(widget=forms.Select(choices=[("", "—"), *countries], attrs=widget_attrs), **common)
        case KycField.Kind.PHONE:
            return forms.CharField(widget=forms.TextInput(attrs={"type": "tel", **widget_attrs}), **common)
        case KycField.Kind.EMAIL:
            return forms.CharField(widget=forms.EmailInput(attrs=widget_attrs), **common)
        case KycField.Kind.CHECKBOX:
            return forms.BooleanField(**common)
        case KycField.Kind.FILE:
            accept = ",".join(settings.UPLOAD_CONTENT_TYPES)
            return forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": accept}), **common)
        case _:
            return forms.CharField(widget=forms.TextInput(attrs=widget_attrs), **common)


class KycModuleForm(forms.Form):
    """One step of the wizard: the fields of one module of the client's registration template."""

    def __init__(self, *args, specs, language: str, countries: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.specs = specs
        for spec in specs:
            self.fields[spec.name] = kyc_form_field(spec, language=language, countries=countries)
            if spec.url_i18n:
                self.fields[spec.name].document_url = localized(spec.url_i18n, language)
            if spec.content_i18n:
                self.fields[spec.name].document_text = localized(spec.content_i18n, language)

    @property
    def file_specs(self):
        return [spec for spec in self.specs if spec.kind == "file"]

    def visible_field_names(self) -> list[str]:
        return [spec.name for spec in self.specs]


class QuestionnaireForm(forms.Form):
    """The questionnaire step: one field per question, answered by option ids or text."""

    def __init__(self, *args, questions, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        from clients.models import QuestionnaireQuestion

        self.questions = list(questions)
        for question in self.questions:
            common = {"label": localized(question.text_i18n, language), "required": False}
            choices = [(option["id"], localized(option.get("label_i18n"), language)) for option in question.options]
            if question.kind == QuestionnaireQuestion.Kind.TEXT:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
            elif question.kind == QuestionnaireQuestion.Kind.MULTIPLE:
                field = forms.TypedMultipleChoiceField(
                    choices=choices, coerce=int, widget=forms.CheckboxSelectMultiple, **common
                )
            else:
                field = forms.TypedChoiceField(
                    choices=choices, coerce=int, empty_value=None, widget=forms.RadioSelect, **common
                )
            self.fields[self.field_name(question)] = field

    @staticmethod
    def field_name(question) -> str:
        return f"question_{question.pk}"

    def answers(self) -> list[dict]:
        """The answers as the questionnaire service takes them, in the questions' order."""
        from clients.models import QuestionnaireQuestion

        answers = []
        for question in self.questions:
            value = self.cleaned_data.get(self.field_name(question))
            if question.kind == QuestionnaireQuestion.Kind.TEXT:
                answers.append({"question_id": question.pk, "option_ids": [], "text": value or ""})
            elif question.kind == QuestionnaireQuestion.Kind.MULTIPLE:
                answers.append({"question_id": question.pk, "option_ids": list(value or []), "text": ""})
            else:
                answers.append({"question_id": question.pk, "option_ids": [value] if value else [], "text": ""})
        return answers


# --- Trading accounts -------------------------------------------------------------------------
# Named as client.trading_account.* names them, so the service's field errors land where they belong.


class AccountApplicationForm(forms.Form):
    is_demo = forms.TypedChoiceField(
        label=_("Account"),
        choices=[("false", _("Live")), ("true", _("Demo"))],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
        initial="false",
    )
    trading_platform = forms.ChoiceField(label=_("Platform"))
    trading_account_type_id = forms.TypedChoiceField(label=_("Account type"), coerce=int)
    leverage = forms.TypedChoiceField(label=_("Leverage"), coerce=int)
    currency = forms.ChoiceField(label=_("Currency"))
    password = forms.CharField(
        label=_("Trading (main) password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, mixing lower-case letters, upper-case letters and digits."),
    )
    observe_password = forms.CharField(
        label=_("Investor (read-only) password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Optional: without one, a random investor password is set; you can change it later."),
    )

    def __init__(self, *args, account_types, platforms: list[str], language: str, **kwargs):
        super().__init__(*args, **kwargs)
        account_types = list(account_types)
        self.fields["trading_platform"].choices = [(platform, platform) for platform in platforms]
        self.fields["trading_account_type_id"].choices = [
            (
                account_type.pk,
                f"{account_type.name(language)} · {account_type.platform} · "
                f"{_('Demo') if account_type.is_demo else _('Live')}",
            )
            for account_type in account_types
        ]
        leverages = sorted({value for account_type in account_types for value in account_type.leverage_options})
        self.fields["leverage"].choices = [(value, f"1:{value}") for value in leverages]
        currencies = sorted({code for account_type in account_types for code in account_type.currencies})
        self.fields["currency"].choices = [(code, code) for code in currencies]


class LeverageChangeForm(forms.Form):
    leverage = forms.TypedChoiceField(label=_("New leverage"), coerce=int)
    remark = forms.CharField(label=_("Remark"), required=False, max_length=500)

    def __init__(self, *args, options: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leverage"].choices = [(value, f"1:{value}") for value in options]


class TradingPasswordForm(forms.Form):
    type = forms.ChoiceField(label=_("Password"), widget=forms.RadioSelect)
    password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("New password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, **kwargs):
        from clients.trading.services import PasswordType

        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [
            (PasswordType.TRADE, _("Trading (main) password")),
            (PasswordType.OBSERVE, _("Investor (read-only) password")),
        ]
        self.fields["type"].initial = PasswordType.TRADE

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return cleaned
