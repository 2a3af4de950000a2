import factory

from clients.resources.models import SoftwareDownload, TradingToolColumn, TradingToolPopupRead
from crm.content.models import Audience
from crm.users.tests.factories import UserFactory


class SoftwareDownloadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SoftwareDownload

    name_i18n = factory.Sequence(lambda n: {"zh-CN": f"软件 {n}", "en-US": f"Software {n}"})
    platform = "MT5"
    os = SoftwareDownload.OperatingSystem.WINDOWS
    version = ""
    download_url = factory.Sequence(lambda n: f"https://download.example.com/{n}/setup.exe")
    audience = Audience.ALL


class TradingToolColumnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TradingToolColumn

    title_i18n = factory.Sequence(lambda n: {"zh-CN": f"栏目 {n}", "en-US": f"Column {n}"})
    iframe_link_i18n = factory.Sequence(
        lambda n: {"zh-CN": f"https://tools.example.com/zh/{n}", "en-US": f"https://tools.example.com/en/{n}"}
    )
    popup_title_i18n = factory.Sequence(lambda n: {"zh-CN": f"提示 {n}", "en-US": f"Notice {n}"})
    popup_content_i18n = factory.Sequence(lambda n: {"zh-CN": f"内容 {n}", "en-US": f"Content {n}"})


class TradingToolPopupReadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TradingToolPopupRead

    user = factory.SubFactory(UserFactory)
    column = factory.SubFactory(TradingToolColumnFactory)
