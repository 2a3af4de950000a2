"""Per-request language and company time zone."""

from __future__ import annotations

from django.utils import timezone, translation

from crm.api.languages import django_language_for


class RequestLanguageMiddleware:
    """`X-Language` (`zh-CN` default, `en-US`), then the signed-in user's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("X-Language")
        user = getattr(request, "user", None)
        if header:
            language = django_language_for(header)
        elif user is not None and user.is_authenticated and user.language:
            language = django_language_for(user.language)
        else:
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class CompanyTimeZoneMiddleware:
    """Times in and out are in the company's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from crm.configuration.selectors import company_time_zone

        timezone.activate(company_time_zone())
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
