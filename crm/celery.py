import os

from celery import Celery

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
    "simulate-platform-trading": {"task": "crm.platforms.simulator.tasks.simulate_platform_trading", "schedule": 300.0},
}
