"""Back office for users and their API tokens. Status and passwords change only through services."""

from __future__ import annotations

import threading

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, ReadOnlyPasswordHashField
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm.errors import ApplicationError
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
