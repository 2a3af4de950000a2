from crm.api.routing import operation_urls
from funds import api

urlpatterns = operation_urls(
    [
        api.NetworkListApi,
        api.ExchangeRateApi,
        api.ChannelCurrencyListApi,
        api.ExchangeRateListApi,
        api.DepositChannelListApi,
        api.WithdrawalChannelListApi,
        api.PayoutAccountCreateApi,
        api.PayoutAccountUpdateApi,
        api.PayoutAccountDeleteApi,
        api.PayoutAccountApi,
        api.PayoutAccountListApi,
    ]
)
