import factory

from crm.configuration.models import Country, Currency, Leverage, PortalLanguage


class PortalLanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PortalLanguage
        django_get_or_create = ["code"]

    code = "zh-CN"
    name = "简体中文"


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country

    code = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    name_i18n = factory.LazyAttribute(
        lambda country: {"zh-CN": f"国家{country.code}", "en-US": f"Country {country.code}"}
    )
    phone_code = "+1"


class CurrencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Currency

    code = factory.Sequence(lambda n: f"C{n:02d}")
    name = factory.LazyAttribute(lambda currency: f"Currency {currency.code}")
    symbol = "$"
    precision = 2


class LeverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Leverage

    value = factory.Sequence(lambda n: 100 + n)
