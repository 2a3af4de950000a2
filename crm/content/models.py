"""Placements (banners in portal slots) and popups shown to clients and IBs, and popup dismissals."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.api.languages import localized, request_language
from crm.configuration.models import image_field, validate_i18n_texts


class Audience(models.TextChoices):
    CLIENT = "client", _("Clients")
    IB = "ib", _("Introducing brokers")
    ALL = "all", _("Everyone")


def validate_link(value: str) -> None:
    """A link the portals may follow: an http(s) URL or a path on our own site (never `javascript:`)."""
    parts = urlsplit(value)
    is_local_path = value.startswith("/") and not value.startswith("//") and not parts.scheme
    is_web_url = parts.scheme in ("http", "https") and bool(parts.netloc)
    if not (is_local_path or is_web_url):
        raise ValidationError(_("Give an http(s) address or a path starting with /."))


class PublishedQuerySet(models.QuerySet):
    def live(self, at: datetime | None = None) -> PublishedQuerySet:
        """Enabled rows whose time window contains `at` (now by default)."""
        at = at or timezone.now()
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at), is_enabled=True, starts_at__lte=at)

    def for_audience(self, audience: str) -> PublishedQuerySet:
        return self.filter(audience__in=[audience, Audience.ALL])


class PublishedContent(models.Model):
    """What placements and popups share: who sees it, the texts, and when it is shown."""

    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices, default=Audience.ALL)
    title_i18n = models.JSONField(
        _("title"), default=dict, validators=[validate_i18n_texts], help_text=_('{"zh-CN": "…", "en-US": "…"}')
    )
    content_i18n = models.JSONField(
        _("content"),
        default=dict,
        blank=True,
        validators=[validate_i18n_texts],
        help_text=_('{"zh-CN": "…", "en-US": "…"}'),
    )
    image = image_field("content/", verbose_name=_("image"))
    link_url = models.CharField(_("link"), max_length=500, blank=True, validators=[validate_link])
    starts_at = models.DateTimeField(_("shown from"), default=timezone.now)
    ends_at = models.DateTimeField(_("shown until"), null=True, blank=True, help_text=_("Empty: until disabled."))
    is_enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Lower numbers come first."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
        ]
        indexes = [models.Index(fields=["is_enabled", "audience", "starts_at"], name="%(class)s_live")]

    def __str__(self) -> str:
        texts = self.title_i18n or {}
        return localized(texts, request_language()) or f"#{self.pk}"

    def is_live(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.is_enabled and self.starts_at <= at and (self.ends_at is None or self.ends_at > at)


class Placement(PublishedContent):
    """Content placed in a slot of the portals (a dashboard banner, the login page banner, …)."""

    class Slot(models.TextChoices):
        DASHBOARD_BANNER = "dashboard_banner", _("Dashboard banner")
        LOGIN_BANNER = "login_banner", _("Login page banner")
        SIDEBAR_BANNER = "sidebar_banner", _("Sidebar banner")

    slot = models.CharField(_("slot"), max_length=32, choices=Slot.choices, db_index=True)
    # For images hosted elsewhere (a CDN); an uploaded `image` wins when both are set.
    image_url = models.URLField(_("image address"), max_length=500, blank=True)

    class Meta(PublishedContent.Meta):
        verbose_name = _("placement")
        verbose_name_plural = _("placements")


class Popup(PublishedContent):
    """A popup the portals show once signed in, until the user dismisses it."""

    class Meta(PublishedContent.Meta):
        verbose_name = _("popup")
        verbose_name_plural = _("popups")


class PopupDismissal(models.Model):
    """A user's "don't show again" for a popup."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="popup_dismissals", verbose_name=_("user")
    )
    popup = models.ForeignKey(Popup, on_delete=models.CASCADE, related_name="dismissals", verbose_name=_("popup"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("popup dismissal")
        verbose_name_plural = _("popup dismissals")
        constraints = [models.UniqueConstraint(fields=["user", "popup"], name="popup_dismissed_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} dismissed popup {self.popup_id}"
