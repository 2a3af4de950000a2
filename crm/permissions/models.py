"""Menus and buttons per portal: what the client and IB portals show a user.

A menu belongs to one portal (its audience) and may sit under a parent menu of the same portal.
Its buttons are the actions the portal offers on that page (`open_live`, `change_leverage`, …);
the front end shows a button only when its code is in the user's `actions`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.configuration.models import validate_i18n_texts

validate_code = RegexValidator(
    r"^[a-z][a-z0-9_]*$", _("Use lower-case letters, digits and underscores, starting with a letter.")
)


class Audience(models.TextChoices):
    """Which portal a menu belongs to."""

    CLIENT = "client", _("Client portal")
    IB = "ib", _("IB portal")


class Menu(models.Model):
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    code = models.CharField(_("code"), max_length=64, unique=True, validators=[validate_code])
    name_i18n = models.JSONField(_("name"), default=dict, validators=[validate_i18n_texts])
    path = models.CharField(_("path"), max_length=255, blank=True, help_text=_("The portal route, e.g. /accounts."))
    icon = models.CharField(_("icon"), max_length=64, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    audience = models.CharField(_("portal"), max_length=8, choices=Audience.choices, db_index=True)
    is_enabled = models.BooleanField(_("enabled"), default=True, help_text=_("A disabled menu hides its sub-menus."))

    class Meta:
        ordering = ["audience", "position", "code"]
        verbose_name = _("menu")
        verbose_name_plural = _("menus")
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[a-z][a-z0-9_]*$"), name="menu_code_format"),
            models.CheckConstraint(condition=~models.Q(parent=models.F("pk")), name="menu_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        if self.parent_id is None:
            return
        if self.parent.audience != self.audience:
            raise ValidationError({"parent": _("A sub-menu belongs to the same portal as its parent.")})
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A menu cannot sit under itself.")})
            ancestor = ancestor.parent


class MenuButton(models.Model):
    menu = models.ForeignKey(Menu, on_delete=models.CASCADE, related_name="buttons", verbose_name=_("menu"))
    code = models.CharField(_("code"), max_length=64, validators=[validate_code])
    name_i18n = models.JSONField(_("name"), default=dict, validators=[validate_i18n_texts])
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["menu", "position", "code"]
        verbose_name = _("button")
        verbose_name_plural = _("buttons")
        constraints = [
            models.UniqueConstraint(fields=["menu", "code"], name="menu_button_code_unique"),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[a-z][a-z0-9_]*$"), name="menu_button_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.menu.code}.{self.code}" if self.menu_id else self.code
