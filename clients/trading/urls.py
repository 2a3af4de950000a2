from clients.trading import api
from crm.api.routing import operation_urls

urlpatterns = operation_urls(
    [
        api.ApplyForAccountApi,
        api.CreateOpeningApplicationApi,
        api.CheckDemoAllowedApi,
        api.ListAccountTypesApi,
        api.ListPlatformOptionsApi,
        api.ListAccountsApi,
        api.GetAccountApi,
        api.ListAccountOptionsApi,
        api.ListLeverageOptionsApi,
        api.GetLeverageUpdateStatusApi,
        api.UpdateLeverageApi,
        api.UpdatePasswordApi,
    ]
)
