from crm.api.routing import operation_urls
from funds.deposits import api

urlpatterns = operation_urls(
    [
        api.CreateDraftApi,
        api.GetDraftApi,
        api.SubmitRequestApi,
        api.CancelRequestApi,
        api.GetPendingCountApi,
        api.ListHistoryApi,
        api.FundDemoAccountApi,
    ]
)
