from crm.api.routing import operation_urls
from crm.configuration import api

urlpatterns = operation_urls([api.TenantVersionApi, api.LeverageListApi])
