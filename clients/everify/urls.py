"""Pages outside the API (mounted at `/e-verify/`)."""

from django.urls import path

from clients.everify import views

app_name = "e_verify"

urlpatterns = [
    path("simulated/<str:session_id>/", views.simulated_page, name="simulated"),
    path("callback/<str:provider>/", views.callback, name="callback"),
]
