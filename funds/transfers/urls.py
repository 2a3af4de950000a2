from crm.api.routing import operation_urls
from funds.transfers import api

urlpatterns = operation_urls([api.TransferCreateRequestApi, api.TransferListHistoryApi])
