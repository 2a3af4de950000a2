"""Chinese wherever people read: complete catalogues, and a back office whose sections speak Chinese.

When one of these fails after new strings, run `makemessages` (see the README) and translate them.
"""

import re
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

from crm.users.models import Language, User
from crm.users.tests.factories import UserFactory

CHINESE = re.compile(r"[\u4e00-\u9fff]")
SECTION = re.compile(r'<caption>\s*<a [^>]*class="section"[^>]*>([^<]+)</a>')


def project_app_configs():
    """Our apps (the venv's packages are theirs to translate), and django-otp's TOTP app we name."""
    base = Path(settings.BASE_DIR).resolve()
    ours = [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base) and "site-packages" not in Path(config.path).parts
    ]
    return [*ours, apps.get_app_config("otp_totp")]


def catalogues(language: str) -> list[Path]:
    """The project's catalogue first, then the apps', in the order Django reads them."""
    folders = [Path(folder) for folder in settings.LOCALE_PATHS]
    folders += sorted({Path(config.path) / "locale" for config in project_app_configs()} - set(folders))
    files = [folder / language / "LC_MESSAGES" / "django.po" for folder in folders]
    return [path for path in files if path.exists()]


def test_the_project_and_its_apps_have_catalogues():
    base = Path(settings.BASE_DIR)
    assert {path.relative_to(base).as_posix() for path in catalogues("zh_Hans")} >= {
        "locale/zh_Hans/LC_MESSAGES/django.po",
        "clients/locale/zh_Hans/LC_MESSAGES/django.po",
        "funds/deposits/locale/zh_Hans/LC_MESSAGES/django.po",
        "funds/ledger/locale/zh_Hans/LC_MESSAGES/django.po",
    }


@pytest.mark.parametrize("path", catalogues("zh_Hans"), ids=lambda path: path.relative_to(settings.BASE_DIR).as_posix())
def test_every_chinese_message_is_translated_and_none_is_fuzzy(path):
    catalogue = polib.pofile(str(path))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert (untranslated, fuzzy) == ([], [])
    assert len(catalogue.translated_entries()) > 50


def test_the_apps_catalogues_agree_with_the_projects():
    """Django reads `locale/` first: an app's different wording of the same message would never show,
    and a word with two meanings (from, to, credit) needs a context instead."""
    project, *apps_catalogues = [polib.pofile(str(path)) for path in catalogues("zh_Hans")]
    project_wording = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in project.translated_entries()}

    disagreements = [
        (entry.msgid, entry.msgstr, project_wording[entry.msgctxt, entry.msgid])
        for catalogue in apps_catalogues
        for entry in catalogue.translated_entries()
        if project_wording.get((entry.msgctxt, entry.msgid), entry.msgstr) != entry.msgstr
    ]

    assert disagreements == []


def test_app_and_model_names_are_translated_lazily_into_chinese():
    untranslated = []
    with translation.override("zh-hans"):
        for config in project_app_configs():
            names = [config.verbose_name]
            for model in config.get_models():
                names += [model._meta.verbose_name, model._meta.verbose_name_plural]
            untranslated += [
                f"{config.label}: {name}"
                for name in names
                if not isinstance(name, Promise) or not CHINESE.search(str(name))
            ]

    assert untranslated == []


@pytest.fixture
def back_office(client, db):
    def sign_in(language: str):
        client.force_login(UserFactory(role=User.Role.STAFF, is_superuser=True, language=language))
        return client

    return sign_in


def test_the_admin_index_in_chinese_names_every_section_in_chinese(back_office):
    page = back_office(Language.ZH_CN).get("/admin/").content.decode()

    sections = SECTION.findall(page)
    assert {"审计日志", "内容管理", "资金管理", "交易平台模拟器", "出金", "转账", "双重身份验证"} <= set(sections)
    assert [section for section in sections if not CHINESE.search(section)] == []
    for model_name in ["出入金通道", "仿真交易品种", "资金冻结", "出金设置", "TOTP 设备", "API 令牌", "门户语言"]:
        assert f">{model_name}</a>" in page
    assert "仿真交易品种s" not in page
    assert "<title>站点管理 | 经纪商 CRM</title>" in page


def test_the_admin_index_in_english_stays_english(back_office):
    page = back_office(Language.EN_US).get("/admin/").content.decode()

    assert {"Audit trail", "Content", "Funds", "Platform simulator", "Withdrawals"} <= set(SECTION.findall(page))
    assert "<title>Site administration | Broker CRM</title>" in page
