"""The IB work that waits for staff, for the back office home. Registered from `IbConfig.ready()`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm.backoffice.registry import status_queue, work_queue_register


def ib_work_register() -> None:
    work_queue_register(
        status_queue(
            key="rebate_payouts_waiting",
            label=_("Rebate payouts waiting"),
            model="ib.RebatePayout",
            status="pending",
            position=35,
        )
    )
    work_queue_register(
        status_queue(
            key="ib_applications_waiting",
            label=_("IB applications waiting"),
            model="ib.IbApplication",
            status="pending",
            position=34,
        )
    )
