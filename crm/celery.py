import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

app = Celery("crm")
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
}
