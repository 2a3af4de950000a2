"""Each simulated deal carries what its spread cost the client (spread × contract size × lots, account currency)."""

from decimal import Decimal

import pytest
import time_machine

from crm.platforms.gateway import gateway_for
from crm.platforms.simulator.market import money
from crm.platforms.simulator.models import SimDeal
from crm.platforms.simulator.services import market_for
from crm.platforms.simulator.tests.test_trading import START, UNTIL, funded_server
from crm.platforms.simulator.trading import simulate_trading

# Spread points × point size × contract size, per lot, in the symbol's profit currency.
PER_LOT = {
    "EURUSD": Decimal("10.00"),
    "XAUUSD": Decimal("25.00"),
    "NAS100": Decimal("1.50"),
    "BTCUSD": Decimal("30.00"),
}


@pytest.mark.django_db
def test_every_deal_has_its_spread_cost_and_the_gateway_returns_it():
    server, logins = funded_server()
    simulate_trading(server=server, until=UNTIL)
    deals = list(SimDeal.objects.filter(server=server))

    for deal in deals:
        if deal.symbol in PER_LOT:
            assert deal.spread_cost == money(PER_LOT[deal.symbol] * deal.volume_lots), deal.symbol
        assert deal.spread_cost > 0
    assert {deal.symbol for deal in deals} >= set(PER_LOT)
    with time_machine.travel(UNTIL, tick=False):
        returned = {deal.deal_id: deal.spread_cost for deal in gateway_for(server).closed_deals(logins, START)}
    assert returned == {deal.deal_id: deal.spread_cost for deal in deals}


@pytest.mark.django_db
def test_the_spread_cost_is_converted_to_the_account_currency(server):
    market = market_for(server)
    at = START

    # USDJPY's spread is in yen: 12 points of 0.001 on 100,000 = 1,200 JPY a lot, in USD at the day's rate.
    in_usd = market.spread_cost("USDJPY", Decimal("1.00"), "USD", at)
    assert in_usd == (Decimal(1200) / market.bid("USDJPY", at)).quantize(Decimal("0.01"))
    assert market.spread_cost("EURUSD", Decimal("0.10"), "USC", at) == Decimal("100.00")  # 1 USD in cents
