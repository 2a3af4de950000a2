"""`manage.py simulate_trading [--server NAME] [--login N …] [--until "YYYY-MM-DD HH:MM:SS"]`."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.platforms.models import TradingServer
from crm.platforms.simulator.trading import simulate_trading


class Command(BaseCommand):
    help = "Let the simulated traders of simulator servers trade up to a moment (now by default)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--server", action="append", help="Server name (repeatable); all simulator servers by default."
        )
        parser.add_argument("--login", action="append", type=int, dest="logins", help="Only this login (repeatable).")
        parser.add_argument("--until", help='"YYYY-MM-DD HH:MM:SS" in the company time zone (default: now).')

    def handle(self, *args, server=None, logins=None, until=None, **options):
        servers = TradingServer.objects.filter(adapter="simulator").order_by("name")
        if server:
            servers = servers.filter(name__in=server)
            missing = set(server) - set(servers.values_list("name", flat=True))
            if missing:
                raise CommandError(f"No simulator server named {', '.join(sorted(missing))}.")
        moment = None
        if until:
            try:
                moment = timezone.make_aware(datetime.strptime(until, "%Y-%m-%d %H:%M:%S"))
            except ValueError as error:
                raise CommandError(f"--until: {error}") from None
        for trading_server in servers:
            summary = simulate_trading(server=trading_server, logins=logins, until=moment)
            self.stdout.write(
                f"{trading_server.name}: {summary.accounts} accounts, {summary.deals} deals closed, "
                f"{summary.positions_opened} positions opened, {summary.orders_placed} orders placed"
            )
