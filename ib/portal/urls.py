from django.urls import path

from . import views

app_name = "ib_portal"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/chart-data/", views.ChartDataView.as_view(), name="chart_data"),
    path("clients/", views.ClientListView.as_view(), name="clients"),
    path("clients/<int:client_id>/", views.ClientDetailView.as_view(), name="client"),
    path("rebates/", views.RebateRecordListView.as_view(), name="rebates"),
    path("rebate-accounts/", views.RebateAccountListView.as_view(), name="rebate_accounts"),
    path(
        "rebate-accounts/<int:trading_account_id>/enabled/",
        views.RebateAccountEnabledView.as_view(),
        name="rebate_account_enabled",
    ),
    path("referral/", views.ReferralView.as_view(), name="referral"),
    path("referral/qr-code.svg", views.ReferralQrCodeView.as_view(), name="referral_qr"),
    path("tree/", views.TreeView.as_view(), name="tree"),
    path("messages/", views.MessageListView.as_view(), name="messages"),
    path("messages/<int:message_id>/", views.MessageDetailView.as_view(), name="message"),
]
