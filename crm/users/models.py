from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    """The languages the API and portals speak, named as the wlink spec names them."""

    ZH_CN = "zh-CN", "简体中文"
    EN_US = "en-US", "English"


class PasswordStrength(models.TextChoices):
    WEAK = "weak", _("Weak")
    MEDIUM = "medium", _("Medium")
    STRONG = "strong", _("Strong")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        from crm.users.passwords import password_strength_of

        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        if password:
            user.password_strength = password_strength_of(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(role=User.Role.STAFF, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, email: str) -> User:
        return self.get(email=normalize_email(email))


def normalize_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively; we store them lower-cased."""
    return (email or "").strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        CLIENT = "client", _("Client")
        IB = "ib", _("Introducing broker")
        STAFF = "staff", _("Staff")

    class Status(models.TextChoices):
        ENABLED = "enabled", _("Enabled")
        DISABLED = "disabled", _("Disabled")

    email = models.EmailField(_("e-mail"), unique=True)  # lower-cased, see normalize_email
    name = models.CharField(_("name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    country = models.ForeignKey(
        "configuration.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("country"),
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.ZH_CN)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, help_text=_("Empty: the company's."))
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.CLIENT, db_index=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ENABLED)
    # Measured when the password is set, so the user can be told it is weaker than the company asks.
    password_strength = models.CharField(
        _("password strength"), max_length=8, choices=PasswordStrength.choices, blank=True
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="user_email_lower_case"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.status == self.Status.ENABLED

    @property
    def is_staff(self) -> bool:
        return self.role == self.Role.STAFF

    @property
    def is_ib(self) -> bool:
        return self.role == self.Role.IB


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once, at login."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"token #{self.pk} of {self.user_id}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class PasswordResetToken(models.Model):
    """A single-use, expiring password-reset token; only its SHA-256 is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="password_reset_tokens", verbose_name=_("user")
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("password reset token")
        verbose_name_plural = _("password reset tokens")

    def __str__(self) -> str:
        return f"password reset #{self.pk} of {self.user_id}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
