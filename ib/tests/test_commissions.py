"""The commission run: who earns what on a mirrored deal, to the cent."""

from decimal import Decimal

import pytest
from django.utils import timezone

from clients.trading.tests.factories import ClosedDealFactory, TradingAccountTypeFactory
from crm.audit.models import AuditEntry
from ib.commissions.engine import commissions_compute
from ib.models import CommissionLine, CommissionRunState, IbProfile, RebatePlanVersion
from ib.tests.commission_scenarios import amounts, at, client_account, deal, ib_chain, lines, plan_with_rates, rate
from ib.tests.factories import IbProfileFactory, RebatePlanVersionFactory, RebateRateFactory

D = Decimal
pytestmark = pytest.mark.django_db


def test_a_single_level_plan_pays_the_clients_ib_per_lot():
    version = plan_with_rates("5")
    (ib,) = ib_chain(1, version.plan)
    account = client_account(ib)
    closed = deal(account, volume_lots=D("2.30"))

    assert commissions_compute() == 1

    line = CommissionLine.objects.get()
    assert (line.deal, line.ib, line.client, line.level, line.kind) == (closed, ib, account.user, 0, "commission")
    assert (line.amount, line.lots, line.currency, line.deal_revision) == (D("11.50"), D("2.30"), "USD", 1)
    assert (line.plan_version, line.rate, line.reverses, line.payout) == (version, version.rates.get(), None, None)
    assert line.calculated_at <= timezone.now()
    assert CommissionRunState.objects.get().last_deal_id == closed.pk


def test_a_three_level_plan_pays_the_ib_and_both_uplines_their_own_rates():
    version = plan_with_rates("5", "2", "0.5")
    bottom, middle, top = ib_chain(3, version.plan)
    closed = deal(client_account(bottom), volume_lots=D("2.50"))

    assert commissions_compute() == 3

    assert lines() == [
        (closed.pk, bottom.pk, 0, D("12.50"), "commission"),
        (closed.pk, middle.pk, 1, D("5.00"), "commission"),
        (closed.pk, top.pk, 2, D("1.25"), "commission"),
    ]


def test_the_plan_of_the_clients_own_ib_pays_the_chain_whatever_the_uplines_plans():
    version = plan_with_rates("5", "2")
    bottom, top = ib_chain(2, version.plan)
    top.plan = plan_with_rates("100", "100").plan
    top.save(update_fields=["plan"])
    deal(client_account(bottom))

    commissions_compute()

    assert sorted(CommissionLine.objects.values_list("level", "amount", "plan_version")) == [
        (0, D("5.00"), version.pk),
        (1, D("2.00"), version.pk),
    ]


def test_a_symbol_override_beats_its_group_which_beats_any_group():
    version = plan_with_rates("1")
    rate(version, symbol_group="forex", per_lot=D("2"))
    rate(version, symbol="EURUSD", per_lot=D("3"))
    (ib,) = ib_chain(1, version.plan)
    account = client_account(ib)
    eurusd = deal(account, symbol="EURUSD", symbol_group="forex")
    gbpusd = deal(account, symbol="GBPUSD", symbol_group="forex")
    gold = deal(account, symbol="XAUUSD", symbol_group="metals")

    commissions_compute()

    assert amounts() == {(eurusd.pk, 0): D("3.00"), (gbpusd.pk, 0): D("2.00"), (gold.pk, 0): D("1.00")}


def test_account_type_rates_beat_any_type_within_the_same_symbol_match():
    version = plan_with_rates("1")
    ecn = TradingAccountTypeFactory()
    rate(version, account_type=ecn, per_lot=D("4"))
    rate(version, symbol_group="forex", per_lot=D("2"))
    rate(version, symbol_group="forex", account_type=ecn, per_lot=D("6"))
    rate(version, symbol="EURUSD", per_lot=D("3"))
    (ib,) = ib_chain(1, version.plan)
    standard_account = client_account(ib)
    ecn_account = client_account(ib, account_type=ecn)
    deals = {
        "standard gold": deal(standard_account, symbol="XAUUSD", symbol_group="metals"),
        "ecn gold": deal(ecn_account, symbol="XAUUSD", symbol_group="metals"),
        "ecn gbpusd": deal(ecn_account, symbol="GBPUSD", symbol_group="forex"),
        "ecn eurusd": deal(ecn_account, symbol="EURUSD", symbol_group="forex"),
    }

    commissions_compute()

    paid = amounts()
    # any/any 1 < type/any 4; group/any 2 < group/type 6; symbol (any type) 3 beats group/type 6.
    assert {name: paid[(closed.pk, 0)] for name, closed in deals.items()} == {
        "standard gold": D("1.00"),
        "ecn gold": D("4.00"),
        "ecn gbpusd": D("6.00"),
        "ecn eurusd": D("3.00"),
    }


def test_no_rate_at_a_level_pays_nothing_at_that_level_only():
    version = plan_with_rates("5")
    RebateRateFactory(version=version, level=2, per_lot=D("1"))
    bottom, _middle, top = ib_chain(3, version.plan)
    closed = deal(client_account(bottom))

    commissions_compute()

    assert amounts() == {(closed.pk, 0): D("5.00"), (closed.pk, 2): D("1.00")}
    assert set(CommissionLine.objects.values_list("ib_id", flat=True)) == {bottom.pk, top.pk}


def test_a_share_of_the_commission_and_of_the_spread_adds_to_the_per_lot_rate():
    version = RebatePlanVersionFactory()
    rate(version, per_lot=D("1.2345"), commission_percent=D("50"), spread_percent=D("25"))
    rate(version, level=1, per_lot=D("0"), commission_percent=D("12.5"))
    bottom, top = ib_chain(2, version.plan)
    closed = deal(client_account(bottom), volume_lots=D("1.11"), commission=D("-7.00"), spread_cost=D("10.00"))

    commissions_compute()

    # 1.2345 × 1.11 = 1.370295, + 3.50 + 2.50 = 7.370295 → 7.37; 12.5 % of 7.00 = 0.875 → 0.88.
    assert amounts() == {(closed.pk, 0): D("7.37"), (closed.pk, 1): D("0.88")}


@pytest.mark.parametrize(
    ("per_lot", "expected"),
    [("2.6750", D("2.68")), ("0.0050", D("0.01")), ("1.0049", D("1.00")), ("0.0049", None)],
)
def test_amounts_round_half_up_to_cents_and_zero_makes_no_line(per_lot, expected):
    version = plan_with_rates(per_lot)
    (ib,) = ib_chain(1, version.plan)
    closed = deal(client_account(ib))

    commissions_compute()

    assert amounts() == ({(closed.pk, 0): expected} if expected is not None else {})


def test_the_cap_pays_levels_from_the_bottom_and_the_crossing_level_gets_the_remainder():
    version = plan_with_rates("5", "4", "2", cap_per_lot="8")
    bottom, middle, top = ib_chain(3, version.plan)
    capped = deal(client_account(bottom), volume_lots=D("2.00"))
    small = deal(client_account(bottom), volume_lots=D("0.01"))

    commissions_compute()

    # Cap 16.00: 10.00, then 6.00 of 8.00, then nothing (no zero line) for the top.
    assert amounts(deal=capped) == {(capped.pk, 0): D("10.00"), (capped.pk, 1): D("6.00")}
    # Cap 0.08: 0.05 then 0.03 of 0.04.
    assert amounts(deal=small) == {(small.pk, 0): D("0.05"), (small.pk, 1): D("0.03")}
    assert not CommissionLine.objects.filter(ib=top).exists()


def test_a_suspended_ib_earns_nothing_and_its_uplines_still_earn_their_level():
    version = plan_with_rates("5", "4", "2", cap_per_lot="8")
    bottom, middle, top = ib_chain(3, version.plan)
    middle.status = IbProfile.Status.SUSPENDED
    middle.save(update_fields=["status"])
    closed = deal(client_account(bottom))

    commissions_compute()

    # The suspended level uses none of the cap (8.00): 5.00 + 2.00.
    assert lines() == [
        (closed.pk, bottom.pk, 0, D("5.00"), "commission"),
        (closed.pk, top.pk, 2, D("2.00"), "commission"),
    ]


def test_a_suspended_clients_ib_earns_nothing_but_the_chain_above_does():
    version = plan_with_rates("5", "2")
    bottom, top = ib_chain(2, version.plan)
    IbProfile.objects.filter(pk=bottom.pk).update(status=IbProfile.Status.SUSPENDED)
    closed = deal(client_account(bottom))

    commissions_compute()

    assert lines() == [(closed.pk, top.pk, 1, D("2.00"), "commission")]


def test_the_published_version_in_force_at_the_close_time_applies():
    first = plan_with_rates("5")
    plan = first.plan
    second = RebatePlanVersionFactory(plan=plan, effective_from=at("2024-06-01 00:00"))
    rate(second, per_lot=D("7"))
    draft = RebatePlanVersionFactory(
        plan=plan, effective_from=at("2024-07-01 00:00"), status=RebatePlanVersion.Status.DRAFT, published_at=None
    )
    rate(draft, per_lot=D("100"))
    (ib,) = ib_chain(1, plan)
    account = client_account(ib)
    before = deal(account, close_time=at("2024-05-31 23:59"))
    on_the_start = deal(account, close_time=at("2024-06-01 00:00"))
    after_the_draft = deal(account, close_time=at("2024-08-01 00:00"))

    commissions_compute()

    assert sorted(CommissionLine.objects.values_list("deal_id", "plan_version_id", "amount")) == [
        (before.pk, first.pk, D("5.00")),
        (on_the_start.pk, second.pk, D("7.00")),
        (after_the_draft.pk, second.pk, D("7.00")),
    ]


def test_two_versions_from_the_same_time_the_higher_number_applies():
    first = plan_with_rates("5")
    second = RebatePlanVersionFactory(plan=first.plan, number=first.number + 1, effective_from=first.effective_from)
    rate(second, per_lot=D("6"))
    (ib,) = ib_chain(1, first.plan)
    deal(client_account(ib))

    commissions_compute()

    assert list(CommissionLine.objects.values_list("plan_version_id", "amount")) == [(second.pk, D("6.00"))]


def test_a_reassigned_client_pays_the_old_ib_before_and_the_new_one_after():
    version = plan_with_rates("5")
    (old,) = ib_chain(1, version.plan)
    (new,) = ib_chain(1, version.plan)
    account = client_account(old)
    before = deal(account, close_time=at("2024-03-01 10:00"))
    commissions_compute()
    old_line = CommissionLine.objects.get()

    # Staff move the client to `new` from 2024-03-01 12:00; a deal closed before then arrives late.
    attribution = account.user.ib_attributions.get()
    attribution.effective_to = at("2024-03-01 12:00")
    attribution.save(update_fields=["effective_to"])
    account.user.ib_attributions.create(ib=new, effective_from=at("2024-03-01 12:00"), source="staff")
    late_but_before = deal(account, close_time=at("2024-03-01 11:59"))
    after = deal(account, close_time=at("2024-03-01 12:00"))

    assert commissions_compute() == 2

    assert lines() == [
        (before.pk, old.pk, 0, D("5.00"), "commission"),
        (late_but_before.pk, old.pk, 0, D("5.00"), "commission"),
        (after.pk, new.pk, 0, D("5.00"), "commission"),
    ]
    kept = CommissionLine.objects.get(pk=old_line.pk)
    assert (kept.ib_id, kept.amount, kept.calculated_at) == (old.pk, old_line.amount, old_line.calculated_at)


@pytest.mark.parametrize("case", ["no plan", "no version yet", "no attribution", "before the attribution"])
def test_deals_without_an_ib_plan_or_version_make_no_lines(case):
    version = plan_with_rates("5", effective_from=at("2024-01-01 00:00"))
    (ib,) = ib_chain(1, None if case == "no plan" else version.plan)
    account = client_account(ib, since="2024-02-01 00:00")
    if case == "no attribution":
        account.user.ib_attributions.all().delete()
    close_time = {"no version yet": at("2023-12-31 23:59"), "before the attribution": at("2024-01-31 23:59")}
    closed = deal(account, close_time=close_time.get(case, at("2024-03-01 00:00")))

    assert commissions_compute() == 0

    assert not CommissionLine.objects.exists()
    assert CommissionRunState.objects.get().last_deal_id == closed.pk


def test_vanished_platform_only_and_other_currency_deals_make_no_lines():
    version = plan_with_rates("5")
    (ib,) = ib_chain(1, version.plan)
    account = client_account(ib)
    deal(account, vanished_at=timezone.now())
    platform_only = ClosedDealFactory(trading_account=None, server=account.server, login=1)
    version.plan.currency = "EUR"
    version.plan.save(update_fields=["currency"])
    deal(account)

    assert commissions_compute() == 0
    assert CommissionRunState.objects.get().last_deal_id == platform_only.pk + 1


def test_running_twice_writes_nothing_new_and_a_late_synced_old_deal_is_still_computed():
    version = plan_with_rates("5", "2")
    bottom, _top = ib_chain(2, version.plan)
    account = client_account(bottom)
    for _ in range(3):
        deal(account)
    assert commissions_compute() == 6
    before = list(CommissionLine.objects.values_list("id", "amount", "calculated_at"))

    assert commissions_compute() == 0
    assert list(CommissionLine.objects.values_list("id", "amount", "calculated_at")) == before

    # Synced after the run, closed a year before the deals already computed: its id is higher.
    late = deal(account, close_time=at("2023-01-05 09:00"))
    assert commissions_compute() == 2
    assert amounts(deal=late) == {(late.pk, 0): D("5.00"), (late.pk, 1): D("2.00")}


def test_batches_move_the_watermark_and_each_is_audited():
    version = plan_with_rates("5")
    (ib,) = ib_chain(1, version.plan)
    account = client_account(ib)
    deals = [deal(account) for _ in range(5)]

    assert commissions_compute(batch_size=2) == 5

    assert CommissionRunState.objects.get().last_deal_id == deals[-1].pk
    audits = AuditEntry.objects.filter(action="commissions.computed").order_by("id")
    assert [(entry.actor, entry.data) for entry in audits] == [
        (None, {"after_deal_id": 0, "up_to_deal_id": deals[1].pk, "lines": 2}),
        (None, {"after_deal_id": deals[1].pk, "up_to_deal_id": deals[3].pk, "lines": 2}),
        (None, {"after_deal_id": deals[3].pk, "up_to_deal_id": deals[4].pk, "lines": 1}),
    ]


def test_a_computed_line_is_never_written_twice_even_past_the_watermark():
    version = plan_with_rates("5")
    (ib,) = ib_chain(1, version.plan)
    closed = deal(client_account(ib))
    commissions_compute()
    # A watermark set back (restored backup, manual fix): the unique key keeps the line single.
    CommissionRunState.objects.update(last_deal_id=0)

    assert commissions_compute() == 0
    assert lines() == [(closed.pk, ib.pk, 0, D("5.00"), "commission")]


def test_an_ib_outside_any_chain_and_without_clients_is_untouched():
    version = plan_with_rates("5")
    IbProfileFactory(plan=version.plan)
    (ib,) = ib_chain(1, version.plan)
    deal(client_account(ib))

    commissions_compute()

    assert list(CommissionLine.objects.values_list("ib_id", flat=True)) == [ib.pk]


def test_batch_size_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        commissions_compute(batch_size=0)
    assert not CommissionRunState.objects.exists()
