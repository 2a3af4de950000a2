"""Dashboard reads for an IB with 10,000 clients on PostgreSQL (not a test): run with
`DATABASE_URL=postgres://… python manage.py shell -c "exec(open('bench/ib_dashboard_reads.py').read())"`
after `migrate`. Writes bench rows into that database."""

import datetime as dt
import statistics
import time

from django.db import connection, transaction

from crm.users.models import User
from ib.dashboard.selectors import chart_series, dashboard_cards, dashboard_period, last_update_time
from ib.models import IbAncestry, IbClientActivity, IbDailyFigure, IbProfile

with transaction.atomic():
    IbClientActivity.objects.all().delete()
    IbDailyFigure.objects.all().delete()
    user, _ = User.objects.get_or_create(email="bench-ib@example.com", defaults={"role": "ib"})
    ib, _ = IbProfile.objects.get_or_create(user=user, defaults={"referral_code": "BENCH1"})
    IbAncestry.objects.get_or_create(ib=ib, ancestor=ib, depth=0)
    existing = User.objects.filter(email__startswith="bench-client-").count()
    User.objects.bulk_create(
        [User(email=f"bench-client-{n}@example.com") for n in range(existing, 10_000)], batch_size=2000
    )
    clients = list(User.objects.filter(email__startswith="bench-client-").values_list("id", flat=True))
    start = dt.date(2026, 11, 1)
    rows = []
    # Every client trades on half the days of two months: ~300,000 activity rows.
    for offset in range(61):
        day = start + dt.timedelta(days=offset)
        for index, client in enumerate(clients):
            if (index + offset) % 2 == 0:
                rows.append(IbClientActivity(ib=ib, client_id=client, day=day, lots="1.25"))
    IbClientActivity.objects.bulk_create(rows, batch_size=10_000)
    from django.utils import timezone

    IbDailyFigure.objects.bulk_create(
        [
            IbDailyFigure(
                ib=ib,
                day=start + dt.timedelta(days=o),
                active_traders=5000,
                lots="6250",
                deposits="1000",
                updated_at=timezone.now(),
            )
            for o in range(61)
        ]
    )
with connection.cursor() as c:
    c.execute("ANALYZE ib_ibclientactivity; ANALYZE ib_ibdailyfigure")
print("activity rows", IbClientActivity.objects.count())
for label, kwargs in [
    ("this_month", {"date_type": "custom", "start": dt.date(2026, 12, 1), "end": dt.date(2026, 12, 31)}),
    ("today", {"date_type": "custom", "start": dt.date(2026, 12, 8), "end": dt.date(2026, 12, 8)}),
    ("60 days", {"date_type": "custom", "start": dt.date(2026, 11, 1), "end": dt.date(2026, 12, 30)}),
]:
    times = []
    for _ in range(15):
        t = time.perf_counter()
        cards = dashboard_cards(ib=ib, **kwargs)
        last_update_time(ib=ib)
        times.append((time.perf_counter() - t) * 1000)
    print(
        label,
        f"cards+last_update median {statistics.median(times):.1f} ms, max {max(times):.1f} ms",
        cards["active_traders"],
    )
    times = []
    for _ in range(5):
        t = time.perf_counter()
        chart_series(
            ib=ib, period=dashboard_period(date_type=kwargs["date_type"], start=kwargs["start"], end=kwargs["end"])
        )
        times.append((time.perf_counter() - t) * 1000)
    print(label, f"chart median {statistics.median(times):.1f} ms")
