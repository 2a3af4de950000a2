from crm.api.routing import operation_urls
from crm.verification import api

urlpatterns = operation_urls([api.EmailCodeSendApi, api.EmailRegisteredCheckApi, api.TencentCaptchaVerifyApi])
