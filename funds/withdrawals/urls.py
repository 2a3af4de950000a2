from crm.api.routing import operation_urls
from funds.withdrawals import api

urlpatterns = operation_urls(
    [
        api.WithdrawalCreateRequestApi,
        api.WithdrawalListHistoryApi,
        api.WithdrawalCheckPendingRequestApi,
        api.TradingAccountListBalancesApi,
    ]
)
