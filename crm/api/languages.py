"""The API's language names (`zh-CN`, `en-US`) and Django's (`zh-hans`, `en`)."""

from django.conf import settings
from django.utils import translation

DEFAULT_API_LANGUAGE = "zh-CN"


def django_language_for(api_language: str) -> str:
    return settings.API_LANGUAGES.get(api_language, settings.LANGUAGE_CODE)


def api_language_for(django_language: str) -> str:
    for api_language, django_name in settings.API_LANGUAGES.items():
        if django_name == django_language:
            return api_language
    return DEFAULT_API_LANGUAGE


def localized(texts: dict | None, language: str) -> str:
    """Pick the text for `language` from `{"zh-CN": …, "en-US": …}`, falling back sensibly."""
    if not texts:
        return ""
    return texts.get(language) or texts.get(DEFAULT_API_LANGUAGE) or next(iter(texts.values()), "")


def request_language() -> str:
    """The API name (`zh-CN`, `en-US`) of the language this request is answered in."""
    return api_language_for(translation.get_language())
