from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.root, name="root"),
    # Before allauth's own pattern for the same path (see crm/urls.py); same name, same URL.
    path("accounts/signup/", views.SignupView.as_view(), name="signup"),
    path("language/", views.LanguageView.as_view(), name="language"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("kyc/", views.KycOverviewView.as_view(), name="kyc"),
    path("kyc/submit/", views.KycSubmitView.as_view(), name="kyc_submit"),
    path("kyc/<slug:module>/", views.KycStepView.as_view(), name="kyc_step"),
    path("trading-accounts/", views.TradingAccountListView.as_view(), name="trading_accounts"),
    path("trading-accounts/open/", views.AccountApplicationView.as_view(), name="account_open"),
    path("trading-accounts/<int:account_id>/leverage/", views.LeverageChangeView.as_view(), name="account_leverage"),
    path("trading-accounts/<int:account_id>/password/", views.TradingPasswordView.as_view(), name="account_password"),
    path("messages/", views.MessageListView.as_view(), name="messages"),
    path("messages/<int:message_id>/", views.MessageDetailView.as_view(), name="message"),
    path("messages/<int:message_id>/hide/", views.MessageHideView.as_view(), name="message_hide"),
]
