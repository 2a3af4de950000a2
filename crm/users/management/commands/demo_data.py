"""Loads the demo data of every app and prints how to log in.

Each app may have a `demo.py` with `load_demo_data()`; they run in INSTALLED_APPS order, so an
app's demo data can rely on the apps it depends on. Then each app's `demo_week.py`, if any, plays a
week of activity (clients at every KYC stage, deposits, withdrawals, transfers, trades) through the
services; those run outside the command's transaction because the money services are durable
transactions of their own. Running it again changes nothing new.
"""

from __future__ import annotations

import io
import logging
import os
from importlib import import_module
from importlib.util import find_spec

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from crm.users.models import User
from crm.users.passwords import password_strength_of

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo-Broker-2026!")
DEMO_USERS = [
    ("admin@broker.example", "Demo Admin", User.Role.STAFF),
    ("client@broker.example", "Demo Client", User.Role.CLIENT),
    ("ib@broker.example", "Demo IB", User.Role.IB),
    # A second staff member: made the first approval of the large withdrawal the admin may approve again.
    ("finance@broker.example", "Demo Finance", User.Role.STAFF),
    # The demo IB's downline (ib/demo_week.py): a sub-IB and, under it, a sub-sub-IB.
    ("sub.ib@broker.example", "Demo Sub-IB", User.Role.IB),
    ("agent.ib@broker.example", "Demo Sub-sub-IB", User.Role.IB),
]


class Command(BaseCommand):
    help = "Load demo data (company, countries, currencies, leverages, menus, users) and print the logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            # Users first, so each app's demo data can give them profiles, accounts and messages.
            users = [self.ensure_user(email, name, role) for email, name, role in DEMO_USERS]
            for app in apps.get_app_configs():
                if find_spec(f"{app.name}.demo"):
                    import_module(f"{app.name}.demo").load_demo_data()
        # The week runs a few hundred platform operations; their progress lines would hide the logins.
        platform_log = logging.getLogger("crm.platforms")
        level, platform_log.level = platform_log.level, logging.WARNING
        try:
            for app in apps.get_app_configs():
                if find_spec(f"{app.name}.demo_week"):
                    import_module(f"{app.name}.demo_week").load_demo_week(password=DEMO_PASSWORD)
        finally:
            platform_log.setLevel(level)
        self.print_logins(users)

    def ensure_user(self, email: str, name: str, role: str) -> User:
        user, _created = User.objects.get_or_create(email=email, defaults={"name": name, "role": role})
        user.role, user.status = role, User.Status.ENABLED
        user.is_superuser = role == User.Role.STAFF
        user.set_password(DEMO_PASSWORD)
        user.password_strength = password_strength_of(DEMO_PASSWORD)
        user.save()
        # The portal asks for a verified address; the demo users' addresses are known good.
        EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        return user

    def print_logins(self, users: list[User]) -> None:
        out = self.stdout
        out.write(self.style.SUCCESS("\nDemo data loaded. Log in with:"))
        for user in users:
            out.write(f"  {user.role:<8} {user.email:<28} password: {DEMO_PASSWORD}")
        out.write("  Portal: http://127.0.0.1:8000/   Back office: http://127.0.0.1:8000/admin/")
        out.write("  API docs: http://127.0.0.1:8000/api/docs/")
        staff = next(user for user in users if user.is_staff)
        if settings.ADMIN_REQUIRE_OTP:
            self.print_totp(staff)
        else:
            out.write(
                "  Staff two-factor (TOTP) is OFF in this embedded run; production turns it on (ADMIN_REQUIRE_OTP=1)."
            )

    def print_totp(self, staff: User) -> None:
        import qrcode
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _created = TOTPDevice.objects.get_or_create(
            user=staff, name="demo authenticator", defaults={"confirmed": True}
        )
        self.stdout.write("  Staff two-factor is ON: add this key to an authenticator app:")
        self.stdout.write(f"    {device.config_url}")
        code = qrcode.QRCode(border=1)
        code.add_data(device.config_url)
        buffer = io.StringIO()
        code.print_ascii(out=buffer, invert=True)
        self.stdout.write(buffer.getvalue())
