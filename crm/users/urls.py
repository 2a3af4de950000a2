from crm.api.routing import operation_urls
from crm.users import api

urlpatterns = operation_urls(
    [
        api.LoginApi,
        api.LogoutApi,
        api.PasswordChangeApi,
        api.PasswordResetEmailSendApi,
        api.ResetTokenExpiredCheckApi,
        api.PasswordResetApi,
        api.UserSecuritySettingsApi,
    ]
)
