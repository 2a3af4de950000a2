from clients.resources import api
from crm.api.routing import operation_urls

urlpatterns = operation_urls(
    [
        api.ClientSoftwareListApi,
        api.IbSoftwareListApi,
        api.TradingToolColumnDetailApi,
        api.TradingToolPopupReadCheckApi,
        api.TradingToolPopupMarkReadApi,
    ]
)
