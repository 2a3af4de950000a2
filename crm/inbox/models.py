"""The message centre: messages staff (or the system) send to clients and IBs, and each user's read/hidden marks.

A message reaches users in one of two ways:

- **direct**: to the users listed as its recipients, one `Delivery` row each;
- **broadcast**: to a segment (clients, IBs or both, optionally only some countries and/or languages),
  described on the message itself, so that a message to everyone writes one row, not one per user.
  A broadcast reaches the users of the segment who had joined when it was published.

Nothing is written per user until that user reads or hides a message: then one `MessageState` row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.api.languages import localized, request_language
from crm.configuration.models import validate_i18n_texts
from crm.content.models import Audience
from crm.users.models import Language, User

# Who may be picked as a direct recipient in the back office: portal users, not staff.
PORTAL_ROLES = [User.Role.CLIENT, User.Role.IB]

# Shown to users in a line of the message centre.
SENDER_MAX_LENGTH = 64


class Message(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct (to chosen users)")
        BROADCAST = "broadcast", _("Broadcast (to a segment)")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # Broadcasts only: the segment. A direct message keeps the defaults (everyone, no country or language limit).
    audience = models.CharField(
        _("audience"),
        max_length=8,
        choices=Audience.choices,
        default=Audience.ALL,
        help_text=_("Broadcasts: clients, IBs, or both."),
    )
    countries = models.ManyToManyField(
        "configuration.Country",
        verbose_name=_("countries"),
        blank=True,
        related_name="+",
        help_text=_("Broadcasts: only users of these countries. Empty: every country."),
    )
    title_i18n = models.JSONField(
        _("title"), default=dict, validators=[validate_i18n_texts], help_text=_('{"zh-CN": "…", "en-US": "…"}')
    )
    content_i18n = models.JSONField(
        _("content"),
        default=dict,
        validators=[validate_i18n_texts],
        help_text=_('Plain text: {"zh-CN": "…", "en-US": "…"}'),
    )
    sender = models.CharField(
        _("sender"), max_length=SENDER_MAX_LENGTH, help_text=_("Shown to users, e.g. “Customer service”.")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The staff member who sent it; empty when the system did."),
    )
    published_at = models.DateTimeField(
        _("published at"), default=timezone.now, help_text=_("Users see it from then on; a later time schedules it.")
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipients"),
        through="Delivery",
        blank=True,
        related_name="direct_messages",
        limit_choices_to={"role__in": PORTAL_ROLES},
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="broadcast") | Q(audience=Audience.ALL),
                name="inbox_direct_message_has_no_audience",
            ),
        ]
        indexes = [models.Index(fields=["kind", "audience", "published_at"], name="inbox_message_broadcasts")]

    def __str__(self) -> str:
        texts = self.title_i18n or {}
        return localized(texts, request_language()) or f"#{self.pk}"

    @property
    def is_broadcast(self) -> bool:
        return self.kind == self.Kind.BROADCAST

    def is_published(self) -> bool:
        return self.published_at <= timezone.now()


class Delivery(models.Model):
    """A direct message addressed to one user."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("message"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_deliveries", verbose_name=_("user")
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        # (user, message): the index also serves "is this message addressed to me?".
        constraints = [models.UniqueConstraint(fields=["user", "message"], name="inbox_delivered_once_per_user")]

    def __str__(self) -> str:
        return f"message {self.message_id} to {self.user_id}"


class MessageLanguage(models.Model):
    """A broadcast limited to users of some languages has one row per language."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="segment_languages", verbose_name=_("message")
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)

    class Meta:
        verbose_name = _("message language")
        verbose_name_plural = _("message languages")
        constraints = [
            models.UniqueConstraint(fields=["message", "language"], name="inbox_message_language_once"),
        ]

    def __str__(self) -> str:
        return self.language


class MessageState(models.Model):
    """What a user did with a message: read it, hid it. Written on the first such action only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_states", verbose_name=_("user")
    )
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="states", verbose_name=_("message"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message state")
        verbose_name_plural = _("message states")
        constraints = [
            models.UniqueConstraint(fields=["user", "message"], name="inbox_one_state_per_user_and_message"),
            models.CheckConstraint(
                condition=Q(read_at__isnull=False) | Q(hidden_at__isnull=False), name="inbox_state_says_something"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on message {self.message_id}"
