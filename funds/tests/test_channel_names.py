"""Channel names are data in both languages; the back office shows the one of the reader's language."""

import pytest

from crm.configuration.demo import load_demo_data as load_configuration_demo
from crm.users.models import Language, User
from crm.users.tests.factories import UserFactory
from funds.demo import load_demo_data
from funds.models import Channel
from funds.tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_channels():
    load_configuration_demo()
    load_demo_data()


def test_every_demo_channel_has_a_chinese_and_an_english_name(demo_channels):
    names = sorted((channel.name_i18n["zh-CN"], channel.name_i18n["en-US"]) for channel in Channel.objects.all())

    assert names == [
        ("USDT (ERC-20)", "USDT (ERC-20)"),
        ("USDT (TRC-20)", "USDT (TRC-20)"),
        ("国际电汇", "International wire transfer"),
        ("本地银行转账", "Local bank transfer"),
    ]


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        (Language.ZH_CN, ["本地银行转账", "国际电汇"], ["Local bank transfer", "International wire transfer"]),
        (Language.EN_US, ["Local bank transfer", "International wire transfer"], ["本地银行转账", "国际电汇"]),
    ],
)
def test_the_channel_list_shows_the_names_in_the_staff_members_language(
    client, demo_channels, language, shown, not_shown
):
    client.force_login(UserFactory(role=User.Role.STAFF, is_superuser=True, language=language))

    page = client.get("/admin/funds/channel/").content.decode()

    assert [name for name in shown if name not in page] == []
    assert [name for name in not_shown if name in page] == []


def test_a_channel_without_a_name_in_the_language_falls_back_to_chinese_then_the_method():
    chinese_only = ChannelFactory(name_i18n={"zh-CN": "本地银行"})
    nameless = ChannelFactory(name_i18n={})

    # funds/tests/conftest.py reads in English
    assert (str(chinese_only), str(nameless)) == ("本地银行", f"Bank transfer #{nameless.pk}")
