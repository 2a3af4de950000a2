from django.urls import path

from crm.files import views

app_name = "files"

urlpatterns = [path("<str:token>/", views.download, name="download")]
