"""Menu trees per portal, built in two queries whatever their size or depth."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from crm.errors import Forbidden
from crm.permissions.models import Audience, Menu, MenuButton


@dataclass
class MenuNode:
    """A menu with its sub-menus and buttons, ready to render."""

    menu: Menu
    buttons: list[MenuButton]
    children: list[MenuNode] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.menu.code


def menus_with_buttons(*, audience: str | None = None, enabled_only: bool = True) -> QuerySet[Menu]:
    """Menus (of one portal, or of both) with their buttons prefetched in order: two queries."""
    buttons = MenuButton.objects.order_by("position", "code")
    menus = Menu.objects.order_by("audience", "position", "code")
    if enabled_only:
        buttons = buttons.filter(is_enabled=True)
        menus = menus.filter(is_enabled=True)
    if audience is not None:
        menus = menus.filter(audience=audience)
    return menus.prefetch_related(Prefetch("buttons", queryset=buttons, to_attr="listed_buttons"))


def menu_tree(*, audience: str | None = None, enabled_only: bool = True) -> list[MenuNode]:
    """The menus as a forest, siblings in position order.

    With `enabled_only`, a disabled menu takes its whole branch with it: a sub-menu whose parent
    is hidden has nowhere to appear.
    """
    menus = list(menus_with_buttons(audience=audience, enabled_only=enabled_only))
    nodes = {
        # `listed_buttons` is set by menus_with_buttons' Prefetch(to_attr=…), which the plugin cannot see.
        menu.pk: MenuNode(menu=menu, buttons=menu.listed_buttons)  # type: ignore[attr-defined]
        for menu in menus
    }
    roots: list[MenuNode] = []
    for menu in menus:  # already in position order, so children are appended in order too
        node = nodes[menu.pk]
        if menu.parent_id is None:
            roots.append(node)
        elif menu.parent_id in nodes:
            nodes[menu.parent_id].children.append(node)
    return roots


def menu_actions(tree: list[MenuNode]) -> dict[str, list[str]]:
    """`{menu code: [button codes]}` for every menu of the tree (an empty list when it has none)."""
    actions: dict[str, list[str]] = {}
    stack = list(reversed(tree))
    while stack:
        node = stack.pop()
        actions[node.code] = [button.code for button in node.buttons]
        stack.extend(reversed(node.children))
    return actions


def portal_audience_for(*, user, requested: str | None = None) -> str:
    """The portal whose menus `user` gets: the one asked for, else IB for IBs and client for the rest.

    Staff work in the back office, not a portal, so they have no portal menus (403
    `not_a_portal_user`). Every portal user has the client portal; only IBs have the IB portal
    (403 `not_an_ib`).
    """
    if user.is_staff:
        raise Forbidden(code="not_a_portal_user", message=_("Staff accounts have no client or IB portal menus."))
    audience = requested or (Audience.IB if user.is_ib else Audience.CLIENT)
    if audience == Audience.IB and not user.is_ib:
        raise Forbidden(code="not_an_ib", message=_("Only introducing brokers have the IB portal."))
    return audience


def user_menu_permissions(*, user, requested_audience: str | None = None) -> dict:
    """`{"audience", "actions", "menus"}` for the portal `user` gets (see `portal_audience_for`)."""
    audience = portal_audience_for(user=user, requested=requested_audience)
    tree = menu_tree(audience=audience)
    return {"audience": audience, "actions": menu_actions(tree), "menus": tree}
