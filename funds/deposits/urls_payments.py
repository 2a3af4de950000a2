"""Pages and callbacks of online payment providers (`/payments/…`), outside the API."""

from django.urls import path

from funds.deposits import views

app_name = "deposit_payments"

urlpatterns = [
    path("callback/<slug:provider>/", views.payment_callback, name="callback"),
    path("simulated/<str:token>/", views.simulated_pay, name="simulated_pay"),
]
