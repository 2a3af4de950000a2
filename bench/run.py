"""The load benchmark: serve the project with gunicorn on loopback and drive it with wrk.

    DATABASE_URL=postgres://…/crm_perf REDIS_URL=redis://…/12 .venv/bin/python bench/run.py

Needs the data of `bench/generate_data.py` and `wrk` (Debian: `apt-get install wrk`). Prints, per
endpoint: req/s, the ratio to the bare DRF endpoint (measured right before it, as the machine may
be shared), p50 and p99 latency, and SQL queries per request (counted once in
process with CaptureQueriesContext) for a caller with 1 row and one with 20. Then the admin queue
pages: median of 5 loads as a superuser, flagged when over 300 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from crm.users.models import User  # noqa: E402
from crm.users.tokens import token_issue  # noqa: E402

BARE = "/bench/bare"
PUBLIC = "/api/v1/public/settings/get-tenant-version"
# (label, path, signed in): the list operations run for the 1-row and the 20-row caller.
ENDPOINTS = [
    ("public.settings.get_tenant_version", PUBLIC, False),
    ("public.settings.list_countries", "/api/v1/public/settings/list-countries", False),
    ("client.user.get_info", "/api/v1/client/user/get-info", True),
    ("client.trading_account.list_accounts", "/api/v1/client/trading-account/list-accounts", True),
    ("client.deposit.list_history", "/api/v1/client/deposit/list-history", True),
    ("client.trading_account.list_balances", "/api/v1/client/trading-account/list-balances?type=normal", True),
]
LISTS = {"client.trading_account.list_accounts", "client.deposit.list_history", "client.trading_account.list_balances"}
CALLERS = {1: "bench-1@example.com", 20: "bench-20@example.com"}
ADMIN_QUEUES = [
    ("deposits", "deposits", "deposit"),
    ("withdrawals", "withdrawals", "withdrawal"),
    ("transfers", "transfers", "transfer"),
    ("trading accounts", "trading", "tradingaccount"),
    ("KYC (client profiles)", "clients", "clientprofile"),
]
ADMIN_LIMIT_MS = 300
LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)


def milliseconds(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, *, token: str | None, seconds: int, connections: int, threads: int) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout=10s", "--latency", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    # The command is ours: a fixed program, our URL and token.
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    latencies = {percent: milliseconds(value, unit) for percent, value, unit in LATENCY.findall(output)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latencies["50"],
        "p99": latencies["99"],
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def queries_per_request(client: Client, path: str, token: str | None) -> int:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    client.get(path, **headers)  # the first request fills the caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return len(captured)


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not listen on {port}")


def admin_timings(superuser: User) -> list[tuple[str, float, int]]:
    client = Client()
    client.force_login(superuser)
    rows = []
    for label, app_label, model_name in ADMIN_QUEUES:
        path = reverse(f"admin:{app_label}_{model_name}_changelist")
        assert client.get(path).status_code == 200, path
        times = []
        for _ in range(5):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        rows.append((label, statistics.median(times), len(captured)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8160)
    parser.add_argument("--seconds", type=int, default=10, help="per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    tokens = {rows: token_issue(user=User.objects.get(email=email)) for rows, email in CALLERS.items()}
    client = Client()
    counts = {}
    for label, path, signed_in in ENDPOINTS:
        for rows in (1, 20) if label in LISTS else (1,):
            counts[label, rows] = queries_per_request(client, path, tokens[rows] if signed_in else None)
    reset_queries()
    connection.close()

    server = subprocess.Popen(  # noqa: S603 (our gunicorn, our arguments)
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "crm.wsgi:application",
            f"--bind=127.0.0.1:{options.port}",
            f"--workers={options.workers}",
            "--worker-class=sync",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
    )
    try:
        wait_for_port(options.port)
        base = f"http://127.0.0.1:{options.port}"

        def measure(path: str, token: str | None) -> dict:
            return wrk(
                base + path,
                token=token,
                seconds=options.seconds,
                connections=options.connections,
                threads=options.threads,
            )

        wrk(base + BARE, token=None, seconds=2, connections=options.connections, threads=options.threads)  # warm up
        results = []
        for label, path, signed_in in ENDPOINTS:
            for rows in (1, 20) if label in LISTS else (1,):
                # The machine is shared: the yardstick is measured right before each endpoint.
                bare = measure(BARE, None)
                results.append((label, rows, bare, measure(path, tokens[rows] if signed_in else None)))
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"\nwrk -t{options.threads} -c{options.connections} -d{options.seconds}s, "
        f"gunicorn {options.workers} sync workers; bare DRF measured right before each row"
    )
    print("| endpoint | rows | req/s | bare req/s | ratio | p50 ms | p99 ms | bare p99 ms | SQL/request | errors |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, rows, bare, result in results:
        errors = result["errors"] + bare["errors"]
        if not bare["rate"]:
            print(f"| {label} | {rows} | {result['rate']:.0f} | 0 (wrk: {bare['socket_errors']}) | – |")
            continue
        print(
            f"| {label} | {rows} | {result['rate']:.0f} | {bare['rate']:.0f} | {result['rate'] / bare['rate']:.2f} "
            f"| {result['p50']:.1f} | {result['p99']:.1f} | {bare['p99']:.1f} | {counts[label, rows]} | {errors} |"
        )
    ratios = [result["rate"] / bare["rate"] for _label, _rows, bare, result in results if bare["rate"]] or [0]
    print(f"ratio range {min(ratios):.2f}–{max(ratios):.2f}")

    print("\n| admin page | median of 5 (ms) | SQL queries | over 300 ms |")
    print("| --- | --- | --- | --- |")
    superuser = User.objects.filter(is_superuser=True, status=User.Status.ENABLED).order_by("id").first()
    for label, median, queries in admin_timings(superuser):
        print(f"| {label} | {median:.0f} | {queries} | {'YES' if median > ADMIN_LIMIT_MS else 'no'} |")


if __name__ == "__main__":
    main()
