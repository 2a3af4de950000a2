"""`manage.py reconcile_ledger [--server NAME]`: compare the ledger with the platforms and list the differences."""

from __future__ import annotations

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from crm.platforms.models import TradingServer
from funds.errors import FundsNotFound
from funds.ledger.models import ReconciliationRun
from funds.ledger.reconciliation import reconciliation_run
from funds.money import format_amount


class Command(BaseCommand):
    help = "Compare each live trading account's ledger balance with its platform balance; store and list differences."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--server", help="Only this trading server (its name or id).")
        parser.add_argument(
            "--fail-on-difference", action="store_true", help="Exit with status 1 when a difference is found."
        )

    def handle(self, *args, server: str | None = None, fail_on_difference: bool = False, **options) -> None:
        trading_server = None
        if server:
            lookup = {"pk": int(server)} if server.isdigit() else {"name": server}
            trading_server = TradingServer.objects.filter(**lookup).first()
            if trading_server is None:
                raise CommandError(f"No trading server {server!r}.")
        run = reconciliation_run(server=trading_server)
        if run.status == ReconciliationRun.Status.FAILED:
            raise CommandError(f"Reconciliation run #{run.pk} failed: {run.error}")
        for difference in run.differences.all():

            def show(value: Decimal | None, currency: str = difference.currency) -> str:
                if value is None:
                    return "-"
                try:
                    return format_amount(value, currency)
                except FundsNotFound:
                    return f"{value.normalize():f}"

            amounts = (
                f"platform {show(difference.platform_balance)} ledger {show(difference.ledger_balance)} "
                f"in flight {show(difference.in_flight)} trading {show(difference.trading_result)} "
                f"→ {show(difference.difference)}"
                if difference.difference is not None
                else difference.note
            )
            self.stdout.write(f"{difference.login} ({difference.currency}): {amounts}")
        self.stdout.write(
            f"Run #{run.pk}: {run.accounts_checked} accounts checked, {run.differences_found} differences."
        )
        if fail_on_difference and run.differences_found:
            raise SystemExit(1)
