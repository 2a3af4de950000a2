"""Prints a new bearer token for an existing user, for scripts that call the API (e.g. the fuzzing run)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from crm.users.models import User
from crm.users.tokens import token_issue


class Command(BaseCommand):
    help = "Issue a bearer token for the user with this e-mail and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"There is no user {email}.")
        self.stdout.write(token_issue(user=user, user_agent="manage.py api_token"))
