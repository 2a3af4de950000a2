import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Periodic schedules live in code (CELERY_BEAT_SCHEDULE entries are added by the apps' tasks).
app.conf.beat_schedule = {
    "purge-expired-codes-and-tokens": {"task": "crm.users.tasks.purge_expired_credentials", "schedule": 3600.0},
}
