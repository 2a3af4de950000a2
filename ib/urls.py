from crm.api.routing import operation_urls
from ib.api import clients, rebates, users

urlpatterns = operation_urls(
    [
        users.IbInfoApi,
        clients.ListClientsApi,
        clients.GetClientApi,
        clients.ListClientTradingAccountsApi,
        rebates.ListRebateRecordsApi,
        rebates.ListRebateAccountsApi,
        rebates.SetRebateAccountEnabledApi,
    ]
)
