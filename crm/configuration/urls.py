from crm.api.routing import operation_urls
from crm.configuration import api

urlpatterns = operation_urls(
    [
        api.AppKeysApi,
        api.AppearanceApi,
        api.CompanyApi,
        api.CountryListApi,
        api.CurrencyListApi,
        api.LeverageListApi,
        api.LanguagesApi,
        api.SecurityApi,
        api.TenantVersionApi,
    ]
)
