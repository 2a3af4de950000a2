from crm.api.routing import operation_urls
from crm.files import api

urlpatterns = operation_urls([api.OssCredentialsApi, api.UploadFileApi])
