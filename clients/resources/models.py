"""What the portals offer to download (trading platforms), and the trading-tools columns (embedded pages
such as an economic calendar, each with a popup shown until the user has read it)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.api.languages import localized, request_language
from crm.configuration.models import image_field, validate_i18n_texts
from crm.content.models import Audience, validate_link
from crm.platforms.models import TradingServer

I18N_HELP = _('{"zh-CN": "…", "en-US": "…"}')


def validate_i18n_iframe_links(value) -> None:
    """`{"zh-CN": "https://…", …}`: a page the portal may embed, per language — https (an http page cannot be
    framed in an https portal) or a path on our own site."""
    validate_i18n_texts(value)
    for language, link in value.items():
        if not link:
            continue
        is_local_path = link.startswith("/") and not link.startswith("//")
        parts = urlsplit(link)
        if not (is_local_path or (parts.scheme == "https" and parts.netloc)):
            raise ValidationError(
                _("%(language)s: give an https address or a path starting with /."), params={"language": language}
            )


class SoftwareDownload(models.Model):
    """A trading platform build the portals link to (MetaTrader 5 for Windows, …)."""

    class OperatingSystem(models.TextChoices):
        WINDOWS = "windows", "Windows"
        MACOS = "macos", "macOS"
        ANDROID = "android", "Android"
        IOS = "ios", "iOS"
        WEB = "web", _("Web")
        LINUX = "linux", "Linux"

    name_i18n = models.JSONField(_("name"), default=dict, validators=[validate_i18n_texts], help_text=I18N_HELP)
    platform = models.CharField(_("platform"), max_length=8, choices=TradingServer.Platform.choices)
    os = models.CharField(_("operating system"), max_length=16, choices=OperatingSystem.choices)
    version = models.CharField(_("version"), max_length=32, blank=True, help_text=_("Empty: the latest."))
    download_url = models.CharField(
        _("download address"),
        max_length=500,
        validators=[validate_link],
        help_text=_("An http(s) address (installer, app store, web terminal) or a path on this site."),
    )
    icon = image_field("downloads/", verbose_name=_("icon"))
    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices, default=Audience.ALL)
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Lower numbers come first."))
    is_enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("software download")
        verbose_name_plural = _("software downloads")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["is_enabled", "audience"], name="resources_download_listed")]

    def __str__(self) -> str:
        texts = self.name_i18n or {}
        name = localized(texts, request_language()) or self.get_platform_display()
        return f"{name} ({self.get_os_display()})"


class TradingToolColumn(models.Model):
    """A trading-tools page of the client portal: an embedded page per language, and a popup."""

    title_i18n = models.JSONField(_("title"), default=dict, validators=[validate_i18n_texts], help_text=I18N_HELP)
    iframe_link_i18n = models.JSONField(
        _("embedded page"),
        default=dict,
        validators=[validate_i18n_iframe_links],
        help_text=_('The page to embed, per language: {"zh-CN": "https://…", "en-US": "https://…"}'),
    )
    popup_title_i18n = models.JSONField(
        _("popup title"), default=dict, blank=True, validators=[validate_i18n_texts], help_text=I18N_HELP
    )
    popup_content_i18n = models.JSONField(
        _("popup content"),
        default=dict,
        blank=True,
        validators=[validate_i18n_texts],
        help_text=_('Shown when the user opens the column, until they mark it read: {"zh-CN": "…", "en-US": "…"}'),
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Lower numbers come first."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("trading-tools column")
        verbose_name_plural = _("trading-tools columns")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        texts = self.title_i18n or {}
        return localized(texts, request_language()) or f"#{self.pk}"


class TradingToolPopupRead(models.Model):
    """A user has read a column's popup: it is not shown to them again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="trading_tool_popup_reads",
        verbose_name=_("user"),
    )
    column = models.ForeignKey(
        TradingToolColumn, on_delete=models.CASCADE, related_name="popup_reads", verbose_name=_("column")
    )
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    class Meta:
        verbose_name = _("trading-tools popup read")
        verbose_name_plural = _("trading-tools popup reads")
        constraints = [
            models.UniqueConstraint(fields=["user", "column"], name="resources_popup_read_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read the popup of column {self.column_id}"
