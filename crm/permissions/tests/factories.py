import factory

from crm.permissions.models import Audience, Menu, MenuButton


class MenuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Menu

    code = factory.Sequence(lambda n: f"menu_{n}")
    audience = Audience.CLIENT
    name_i18n = factory.LazyAttribute(lambda menu: {"zh-CN": f"菜单{menu.code}", "en-US": f"Menu {menu.code}"})
    path = factory.LazyAttribute(lambda menu: f"/{menu.code}")
    icon = ""


class MenuButtonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MenuButton

    menu = factory.SubFactory(MenuFactory)
    code = factory.Sequence(lambda n: f"button_{n}")
    name_i18n = factory.LazyAttribute(lambda button: {"zh-CN": f"按钮{button.code}", "en-US": f"Button {button.code}"})
