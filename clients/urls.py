"""The clients app's operations (mounted under `/api/v1/`)."""

from clients.api import everify, questionnaires, users
from crm.api.routing import operation_urls

urlpatterns = operation_urls(
    [
        users.ClientRegisterApi,
        users.ClientInfoApi,
        users.RegistrationTemplateApi,
        users.KycDataSaveApi,
        questionnaires.AnswersGetApi,
        questionnaires.AnswersSaveApi,
        everify.EVerifySessionCreateApi,
        everify.EVerifyResultApi,
    ]
)
