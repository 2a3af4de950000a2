from celery import shared_task

from crm.users.services import credentials_purge_expired


@shared_task(name="crm.users.tasks.purge_expired_credentials", time_limit=120, soft_time_limit=100)
def purge_expired_credentials() -> dict[str, int]:
    """Hourly (crm/celery.py): delete tokens, reset tokens and e-mail codes dead for over a week. Idempotent."""
    return credentials_purge_expired()
