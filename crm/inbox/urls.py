from crm.api.routing import operation_urls
from crm.inbox import api

urlpatterns = operation_urls(
    [
        api.ClientMessageListApi,
        api.ClientMessageGetApi,
        api.ClientMessageHideApi,
        api.ClientMessageMarkReadApi,
        api.ClientMessageUnreadCountApi,
        api.IbMessageListApi,
        api.IbMessageGetApi,
        api.IbMessageHideApi,
        api.IbMessageMarkReadApi,
        api.IbMessageUnreadCountApi,
    ]
)
