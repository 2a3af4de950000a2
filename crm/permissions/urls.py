from crm.api.routing import operation_urls

urlpatterns = operation_urls([])
