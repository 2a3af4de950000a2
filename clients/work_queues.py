"""The client work that waits for staff (KYC reviews, account applications, leverage changes), for the
back office home. Registered from `ClientsConfig.ready()`."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.backoffice.registry import WorkQueue, work_queue_register


def clients_work_register() -> None:
    for queue in [
        WorkQueue(
            key="kyc_to_review",
            label=_("KYC applications to review"),
            model="clients.ClientProfile",
            condition=Q(kyc_status="pending"),
            filters={"kyc_status__exact": "pending"},
            position=40,
        ),
        WorkQueue(
            key="account_applications_to_approve",
            label=_("Account applications to approve"),
            model="trading.AccountApplication",
            condition=Q(status="pending"),
            filters={"status__exact": "pending"},
            position=50,
        ),
        WorkQueue(
            key="leverage_changes_to_approve",
            label=_("Leverage changes to approve"),
            model="trading.LeverageChange",
            condition=Q(status="pending"),
            filters={"status__exact": "pending"},
            position=51,
        ),
    ]:
        work_queue_register(queue)
