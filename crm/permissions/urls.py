from crm.api.routing import operation_urls
from crm.permissions import api

urlpatterns = operation_urls([api.ButtonPermissionsApi, api.MenuListApi, api.MenuPermissionsApi])
