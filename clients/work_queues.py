"""The client work that waits for staff (KYC reviews, account applications, leverage changes), for the
back office home. Registered from `ClientsConfig.ready()`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm.backoffice.registry import status_queue, work_queue_register


def clients_work_register() -> None:
    for queue in [
        status_queue(
            key="kyc_to_review",
            label=_("KYC applications to review"),
            model="clients.ClientProfile",
            status="pending",
            field="kyc_status",
            position=40,
        ),
        status_queue(
            key="account_applications_to_approve",
            label=_("Account applications to approve"),
            model="trading.AccountApplication",
            status="pending",
            position=50,
        ),
        status_queue(
            key="leverage_changes_to_approve",
            label=_("Leverage changes to approve"),
            model="trading.LeverageChange",
            status="pending",
            position=51,
        ),
    ]:
        work_queue_register(queue)
