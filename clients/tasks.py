from celery import shared_task

from clients.services.notifications import kyc_decision_email_send
from crm.users.emails import EmailUnavailable


@shared_task(
    name="clients.tasks.send_kyc_decision_email",
    autoretry_for=(EmailUnavailable,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    max_retries=8,
    time_limit=60,
    soft_time_limit=45,
)
def send_kyc_decision_email(*, profile_id: int, decision: str, reason: str) -> None:
    """E-mail a client the decision on their KYC application; retried while the mail server fails."""
    kyc_decision_email_send(profile_id=profile_id, decision=decision, reason=reason)
