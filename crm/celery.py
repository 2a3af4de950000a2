import os

from celery import Celery, Task
from celery.schedules import crontab
from celery.utils.time import get_exponential_backoff_interval
from django.db import OperationalError

from crm.database_busy import is_database_busy

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")


class DatabaseBusyRetryingTask(Task):
    """Every task waits out a busy database: retried with backoff, never failed for it.

    Tasks are idempotent and their transaction rolled back when the write gave up waiting.
    """

    busy_max_retries = 8

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except OperationalError as error:
            if not is_database_busy(error):
                raise
            retries = self.request.retries
            countdown = get_exponential_backoff_interval(factor=2, retries=retries, maximum=120, full_jitter=True)
            max_retries = max(self.max_retries or 0, self.busy_max_retries)
            raise self.retry(exc=error, countdown=countdown, max_retries=max_retries) from error


app = Celery("crm", task_cls=DatabaseBusyRetryingTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Periodic schedules live in code (CELERY_BEAT_SCHEDULE entries are added by the apps' tasks).
app.conf.beat_schedule = {
    "purge-expired-codes-and-tokens": {"task": "crm.users.tasks.purge_expired_credentials", "schedule": 3600.0},
    "requeue-stale-platform-operations": {
        "task": "crm.platforms.tasks.requeue_stale_platform_operations",
        "schedule": 60.0,
    },
    "expire-platform-operation-secrets": {
        "task": "crm.platforms.tasks.expire_platform_operation_secrets",
        "schedule": 3600.0,
    },
    "refresh-account-states": {"task": "clients.trading.tasks.refresh_account_states", "schedule": 60.0},
    "simulate-platform-trading": {"task": "crm.platforms.simulator.tasks.simulate_platform_trading", "schedule": 300.0},
    "fail-refused-withdrawal-holds": {
        "task": "funds.withdrawals.tasks.fail_refused_withdrawal_holds",
        "schedule": 60.0,
    },
    "fail-refused-transfer-legs": {"task": "funds.transfers.tasks.fail_refused_transfer_legs", "schedule": 60.0},
    "check-hold-balances": {
        "task": "funds.withdrawals.tasks.check_hold_balances",
        "schedule": crontab(hour=2, minute=45),
    },
    "expire-deposit-drafts": {"task": "funds.deposits.tasks.expire_deposit_drafts", "schedule": 300.0},
    # Nightly (CELERY_TIMEZONE, the company's), when trading is quiet.
    "reconcile-ledger": {"task": "funds.ledger.tasks.reconcile_ledger", "schedule": crontab(hour=2, minute=30)},
    "compute-commissions": {"task": "ib.commissions.tasks.compute_commissions", "schedule": 300.0},
    "refresh-ib-daily-figures": {"task": "ib.dashboard.tasks.refresh_daily_figures", "schedule": 300.0},
    "refresh-ib-daily-figures-nightly": {
        "task": "ib.dashboard.tasks.refresh_daily_figures",
        "schedule": crontab(hour=3, minute=40),
        "kwargs": {"days": 40},
    },
    "aggregate-rebate-payouts": {"task": "ib.payouts.tasks.aggregate_payouts", "schedule": crontab(minute=15)},
    "sync-deals": {"task": "clients.trading.mirror.tasks.sync_deals", "schedule": 60.0},
    # Before the commission engine reverses what changed (its nightly run comes after this).
    "reread-recent-deals": {
        "task": "clients.trading.mirror.tasks.reread_recent_deals",
        "schedule": crontab(hour=1, minute=15),
    },
}
