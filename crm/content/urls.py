from crm.api.routing import operation_urls
from crm.content import api

urlpatterns = operation_urls([api.PlacementListApi, api.PopupListApi, api.PopupDismissApi])
