"""Back office for users, their API tokens and sign-in devices. Status and passwords change only through services."""

from __future__ import annotations

import threading
from typing import Any

from allauth.socialaccount import providers
from allauth.socialaccount.models import SocialApp, SocialToken
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, ReadOnlyPasswordHashField
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm.configuration.admin import secret_field
from crm.errors import ApplicationError
from crm.redaction import redacted, unredacted
from crm.users import services
from crm.users.models import ApiToken, User, normalize_email
from crm.users.passwords import password_validate
from crm.users.tokens import token_revoke


def _company_password_errors(*, password: str, user: User) -> tuple[str, list[str]]:
    """(strength, errors) by the company's password rules."""
    try:
        return password_validate(password=password, user=user, field="password"), []
    except ApplicationError as error:
        return "", error.fields.get("password", [error.message])


class UserCreationForm(forms.ModelForm):
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput(render_value=False))
    password2 = forms.CharField(
        label=_("Password confirmation"), strip=False, widget=forms.PasswordInput(render_value=False)
    )

    class Meta:
        model = User
        fields = ["email", "name", "role"]

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def clean(self) -> dict:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            candidate = User(email=cleaned.get("email") or "", name=cleaned.get("name") or "")
            self._strength, errors = _company_password_errors(password=password1, user=candidate)
            for error in errors:
                self.add_error("password1", error)
        return cleaned

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password1"])
        user.password_strength = self._strength
        if commit:
            user.save()
        return user


class UserChangeForm(forms.ModelForm):
    password = ReadOnlyPasswordHashField(
        label=_("Password"),
        help_text=_("Only a hash of the password is stored; set a new one with the button above."),
    )

    class Meta:
        model = User
        fields = [
            "email",
            "password",
            "name",
            "phone",
            "country",
            "language",
            "time_zone",
            "role",
            "is_superuser",
            "groups",
            "user_permissions",
        ]

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


_password_view = threading.local()


class UserPasswordSetForm(AdminPasswordChangeForm):
    """Staff set a new password under the company's rules; the user's sessions end."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields.pop("usable_password", None)  # a CRM user always logs in with a password
        self.fields["password1"].required = self.fields["password2"].required = True

    def clean(self) -> dict:
        cleaned = super().clean()
        password = cleaned.get("password1")
        if password and not self.errors:
            _strength, errors = _company_password_errors(password=password, user=self.user)
            for error in errors:
                self.add_error("password1", error)
        return cleaned

    def save(self, commit: bool = True) -> User:
        acting_user = getattr(_password_view, "staff_user", None)
        services.user_password_set(user=self.user, password=self.cleaned_data["password1"], by=acting_user)
        return self.user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = UserPasswordSetForm
    list_display = ["email", "name", "role", "status", "password_strength", "date_joined", "last_login"]
    list_filter = ["role", "status", "date_joined"]
    search_fields = ["email", "name", "phone"]
    ordering = ["-date_joined"]
    list_select_related = ["country"]
    raw_id_fields = ["country"]
    filter_horizontal = ["groups", "user_permissions"]
    readonly_fields = ["status", "password_strength", "date_joined", "last_login"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("name", "phone", "country", "language", "time_zone")}),
        (_("Access"), {"fields": ("role", "status", "is_superuser", "groups", "user_permissions")}),
        (_("History"), {"fields": ("date_joined", "last_login", "password_strength")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "role", "password1", "password2")}),)
    actions = ["disable_users", "enable_users"]

    def user_change_password(self, request, id, form_url=""):
        # Django's view hands the form no request; the audit trail needs to know who acted.
        _password_view.staff_user = request.user
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            del _password_view.staff_user

    @admin.action(description=_("Disable the selected users (and log them out)"), permissions=["change"])
    def disable_users(self, request, queryset) -> None:
        changed = sum(services.user_disable(user=user, by=request.user) for user in queryset)
        self.message_user(
            request,
            ngettext("%(count)d user disabled.", "%(count)d users disabled.", changed) % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Enable the selected users"), permissions=["change"])
    def enable_users(self, request, queryset) -> None:
        changed = sum(services.user_enable(user=user, by=request.user) for user in queryset)
        self.message_user(
            request,
            ngettext("%(count)d user enabled.", "%(count)d users enabled.", changed) % {"count": changed},
            messages.SUCCESS,
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only; a token can only be revoked. Only its hash is stored, so it is never shown."""

    list_display = ["id", "user", "created_at", "expires_at", "last_used_at", "revoked_at", "is_live", "ip_address"]
    list_filter = ["created_at", "revoked_at", "expires_at"]
    search_fields = ["user__email", "ip_address"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    fields = ["user", "created_at", "expires_at", "last_used_at", "revoked_at", "ip_address", "user_agent"]
    readonly_fields = fields
    actions = ["revoke_tokens"]

    @admin.display(boolean=True, description=_("live"))
    def is_live(self, token: ApiToken) -> bool:
        return token.is_usable

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke_tokens(self, request, queryset) -> None:
        live = [token for token in queryset if token.revoked_at is None]
        for token in live:
            token_revoke(token=token)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(live)) % {"count": len(live)},
            messages.SUCCESS,
        )

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("users.delete_apitoken")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the row stays as the record of the session


# --- sign-in secrets kept by third-party apps: their stock admin pages would show them --------------


class SocialAppForm(forms.ModelForm):
    """A sign-in provider (Google): the client secret is write-only and secrets in its settings are masked."""

    secret = secret_field(_("Client secret"))

    class Meta:
        model = SocialApp
        fields = ["provider", "provider_id", "name", "client_id", "secret", "key", "settings"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"] = forms.ChoiceField(choices=providers.registry.as_choices())
        if self.instance.pk:
            self.initial["settings"] = redacted(self.instance.settings)

    def clean_secret(self) -> str:
        return self.cleaned_data["secret"] or self.instance.secret

    def clean_settings(self) -> Any:
        return unredacted(self.cleaned_data["settings"], self.instance.settings if self.instance.pk else {})


admin.site.unregister(SocialApp)


@admin.register(SocialApp)
class SocialAppAdmin(admin.ModelAdmin):
    form = SocialAppForm
    list_display = ["name", "provider", "client_id"]


admin.site.unregister(SocialToken)


@admin.register(SocialToken)
class SocialTokenAdmin(admin.ModelAdmin):
    """Which provider tokens exist, never their values."""

    list_display = ["app", "account", "expires_at"]
    list_filter = ["app", "expires_at"]
    list_select_related = ["app", "account__user"]
    fields = ["app", "account", "expires_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class StaffTOTPDeviceAdmin(TOTPDeviceAdmin):
    """A device's key shows only while it is being added, and its QR code only to its own user.

    Another admin who could read the key could produce the codes of that staff member.
    """

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [
            (name, {**options, "fields": [field for field in options["fields"] if field != "key"]})
            for name, options in fieldsets
        ]

    def _own_device(self, request, pk) -> None:
        if not TOTPDevice.objects.filter(pk=pk, user=request.user).exists():
            raise PermissionDenied

    def config_view(self, request, pk):
        self._own_device(request, pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request, pk):
        self._own_device(request, pk)
        return super().qrcode_view(request, pk)
