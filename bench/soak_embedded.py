"""Soak the embedded default (SQLite, the filesystem Celery broker) under concurrent mixed traffic.

    .venv/bin/python bench/soak_embedded.py [--duration 60] [--clients 16] [--staff 2] [--port 8170]

Serves the project as `make run` does, on a fresh DATA_DIR: migrations, demo data, soak clients
(`bench/soak_data.py`), two web processes (gunicorn, 2 workers × 4 threads) and the local Celery
worker with beat. Then, for `--duration` seconds, one thread per client logs in, lists its accounts,
deposits, withdrawals and transfers, creates and submits deposits (with a receipt upload), transfers
between its two accounts and asks for withdrawals; staff threads approve the submitted deposits and
requested withdrawals in the admin. Afterwards it waits for the outbox to settle, stops the servers,
and prints requests per second, the count of each status, the lock errors in the logs and whether
the books hold (journals sum to zero, ledger reconciled with the platform to the cent, holds).
Exits 1 if any request answered 5xx, a lock error was logged, or the books do not hold.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
LOCK_ERROR = re.compile(r"database (table )?is locked", re.IGNORECASE)
EMBEDDED_ONLY = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_ENV")


class Tally:
    """Status counts per operation, shared by every thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_operation: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.lock_errors_answered = 0
        self.samples: list[str] = []
        self.refusal_codes: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.seconds: list[float] = []

    def add(self, operation: str, response: requests.Response) -> None:
        with self.lock:
            self.seconds.append(response.elapsed.total_seconds())
            self.by_operation[operation][response.status_code] += 1
            if LOCK_ERROR.search(response.text[:20000]):
                self.lock_errors_answered += 1
            if response.status_code >= 500 and len(self.samples) < 5:
                self.samples.append(f"{operation} {response.status_code}: {response.text[:300]}")
            elif 400 <= response.status_code < 500:
                self.refusal_codes[operation][refusal_code(response)] += 1

    def statuses(self) -> collections.Counter:
        total: collections.Counter = collections.Counter()
        for counter in self.by_operation.values():
            total.update(counter)
        return total


def refusal_code(response: requests.Response) -> str:
    try:
        return f"{response.status_code} {response.json().get('code')}"
    except ValueError:
        return f"{response.status_code} (not JSON)"


class ClientWorkload:
    """One client of the broker: the API as the broker's apps use it."""

    def __init__(self, *, base: str, data: dict, client: dict, tally: Tally, approvals: queue.Queue) -> None:
        self.base, self.data, self.client, self.tally, self.approvals = base, data, client, tally, approvals
        self.http = requests.Session()
        self.random = random.Random(client["email"])  # noqa: S311 - a workload, not a secret
        self.withdrawal_quote: dict | None = None

    def call(self, operation: str, method: str, path: str, **kwargs) -> requests.Response:
        response = self.http.request(method, self.base + path, timeout=60, **kwargs)
        self.tally.add(operation, response)
        return response

    def login(self) -> requests.Response:
        response = self.call(
            "login",
            "POST",
            "/api/v1/public/auth/login",
            json={"email": self.client["email"], "password": self.data["password"]},
        )
        if response.status_code == 200:
            self.http.headers["Authorization"] = f"Bearer {response.json()['token']}"
        return response

    def first_login(self, deadline: float) -> None:
        """Log in before anything else, waiting out the login throttle if it answers 429."""
        while "Authorization" not in self.http.headers and time.monotonic() < deadline:
            response = self.login()
            if response.status_code == 429:
                time.sleep(min(float(response.headers.get("Retry-After", 1)), max(0, deadline - time.monotonic())))

    def lists(self) -> None:
        operation, path = self.random.choice(
            [
                ("list_accounts", "/api/v1/client/trading-account/list-accounts"),
                ("list_balances", "/api/v1/client/trading-account/list-balances?type=normal"),
                ("list_deposits", "/api/v1/client/deposit/list-history"),
                ("list_withdrawals", "/api/v1/client/withdrawal/list-history"),
                ("list_transfers", "/api/v1/client/transfer/list-history"),
                ("unread_count", "/api/v1/client/message/get-unread-count"),
            ]
        )
        self.call(operation, "GET", path)

    def deposit(self) -> None:
        response = self.call(
            "deposit_draft",
            "POST",
            "/api/v1/client/deposit/create-draft",
            json={
                "deposit_amount": f"{self.random.randint(100, 300)}.00",
                "remittance_id": self.data["deposit_channel"],
                "trading_account_id": self.random.choice(self.client["accounts"]),
            },
        )
        if response.status_code != 200:
            return
        order_number = response.json()["order_number"]
        upload = self.call(
            "upload_receipt",
            "POST",
            "/api/v1/public/storage/upload-file",
            files={"file": ("receipt.png", RECEIPT_PNG, "image/png")},
            data={"purpose": "deposit_receipt"},
        )
        if upload.status_code != 200:
            return
        submitted = self.call(
            "deposit_submit",
            "POST",
            "/api/v1/client/deposit/submit-request",
            json={"order_number": order_number, "receipt_url": upload.json()["url"]},
        )
        if submitted.status_code == 200:
            self.approvals.put(("deposits/deposit", order_number))

    def transfer(self) -> None:
        source, target = self.random.sample(self.client["accounts"], 2)
        self.call(
            "transfer",
            "POST",
            "/api/v1/client/transfer/create-request",
            json={
                "amount": f"{self.random.randint(1, 50)}.00",
                "remark": "",
                "source_trading_account_id": source,
                "target_trading_account_id": target,
            },
        )

    def withdraw(self) -> None:
        quote = self.withdrawal_quote or {"fee": "0.00", "exchange_rate": "1", "remittance_amount": "0.00"}
        amount = Decimal(f"{self.random.randint(50, 120)}.00")
        body = {
            "currency": "USD",
            "method": "bank_transfer",
            "remittance_id": self.data["withdrawal_channel"],
            "trading_account_id": self.random.choice(self.client["accounts"]),
            "withdrawal_amount": str(amount),
            "payout_account_id": self.client["payout_account"],
            "fee": quote["fee"],
            "exchange_rate": quote["exchange_rate"],
            "remittance_amount": str(
                (amount * Decimal(quote["exchange_rate"]) - Decimal(quote["fee"])).quantize(Decimal("0.01"))
            ),
        }
        response = self.call("withdrawal", "POST", "/api/v1/client/withdrawal/create-request", json=body)
        if response.status_code == 409 and response.json().get("code") == "quote_changed":
            fields = response.json()["fields"]
            self.withdrawal_quote = {"fee": fields["fee"][0], "exchange_rate": fields["exchange_rate"][0]}
            body.update(self.withdrawal_quote, remittance_amount=fields["remittance_amount"][0])
            response = self.call("withdrawal", "POST", "/api/v1/client/withdrawal/create-request", json=body)
        if response.status_code == 200:
            self.approvals.put(("withdrawals/withdrawal", response.json()["order_number"]))

    def run(self, deadline: float) -> None:
        self.first_login(deadline)
        actions = [(self.lists, 47), (self.deposit, 15), (self.transfer, 20), (self.withdraw, 15), (self.login, 3)]
        functions, weights = zip(*actions, strict=True)
        while time.monotonic() < deadline:
            self.random.choices(functions, weights)[0]()


class StaffWorkload:
    """A back-office user approving what the clients submit, in the admin (session, CSRF, redirects)."""

    def __init__(self, *, base: str, data: dict, tally: Tally, approvals: queue.Queue) -> None:
        self.base, self.data, self.tally, self.approvals = base, data, tally, approvals
        self.http = requests.Session()

    def call(self, operation: str, method: str, path: str, **kwargs) -> requests.Response:
        response = self.http.request(method, self.base + path, timeout=60, allow_redirects=False, **kwargs)
        self.tally.add(operation, response)
        return response

    def csrf(self) -> dict:
        return {"csrfmiddlewaretoken": self.http.cookies.get("csrftoken", "")}

    def login(self) -> None:
        self.call("admin_login_page", "GET", "/admin/login/")
        self.call(
            "admin_login",
            "POST",
            "/admin/login/?next=/admin/",
            data={**self.csrf(), "username": self.data["staff"], "password": self.data["password"]},
            headers={"Referer": self.base + "/admin/login/"},
        )

    def run(self, deadline: float) -> None:
        self.login()
        while time.monotonic() < deadline:
            try:
                model, order_number = self.approvals.get(timeout=0.5)
            except queue.Empty:
                self.call("admin_queue", "GET", "/admin/deposits/deposit/")
                continue
            # Find it in the queue by its order number, as staff do, then approve it from its page.
            found = self.call(f"admin_search_{model.split('/')[1]}", "GET", f"/admin/{model}/?q={order_number}")
            match = re.search(rf"/admin/{model}/(\d+)/change/", found.text)
            if match is None:
                continue
            object_id = match.group(1)
            self.call(
                f"admin_approve_{model.split('/')[1]}",
                "POST",
                f"/admin/{model}/{object_id}/approve/",
                data=self.csrf(),
                headers={"Referer": self.base + f"/admin/{model}/{object_id}/change/"},
            )


RECEIPT_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def manage(env: dict, *arguments: str, log: Path) -> None:
    with log.open("a") as out:
        subprocess.run(  # noqa: S603 - our own commands
            [str(BIN / "python"), "manage.py", *arguments],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def soak_data(env: dict, data_dir: Path, *extra: str) -> dict:
    out = data_dir / "soak.json"
    with (data_dir / "setup.log").open("a") as log:
        subprocess.run(  # noqa: S603 - our own commands
            [str(BIN / "python"), "-m", "bench.soak_data", "--out", str(out), *extra],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return json.loads(out.read_text())


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own servers
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_up(base: str) -> None:
    for _ in range(120):
        try:
            if requests.get(base + "/admin/login/", timeout=30).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still importing
            pass
        time.sleep(0.5)
    raise SystemExit("the web server did not come up")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of traffic (default 60)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads (default 16)")
    parser.add_argument("--staff", type=int, default=2, help="concurrent staff threads in the admin (default 2)")
    parser.add_argument("--port", type=int, default=8170)
    parser.add_argument("--keep", action="store_true", help="keep the DATA_DIR (database, logs) afterwards")
    arguments = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="soak-embedded-"))
    env = {key: value for key, value in os.environ.items() if key not in EMBEDDED_ONLY}
    # Every soak client comes from 127.0.0.1: the per-address login throttle would keep most of them out.
    env.update(DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", THROTTLE_LOGIN="10000/min")
    base = f"http://127.0.0.1:{arguments.port}"
    print(f"DATA_DIR {data_dir}; setting up (migrate, demo data, {arguments.clients} soak clients)…", flush=True)
    setup_log = data_dir / "setup.log"
    manage(env, "migrate", "--noinput", "-v", "0", log=setup_log)
    manage(env, "demo_data", log=setup_log)
    data = soak_data(env, data_dir, "--clients", str(arguments.clients))

    web = start(
        [
            str(BIN / "gunicorn"),
            "crm.wsgi:application",
            "--bind",
            f"127.0.0.1:{arguments.port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--timeout",
            "120",
        ],
        env,
        data_dir / "web.log",
    )
    worker = start(
        [str(BIN / "celery"), "-A", "crm", "worker", "--beat", "--loglevel=info", "--concurrency=1"],
        env,
        data_dir / "worker.log",
    )
    tally = Tally()
    try:
        wait_until_up(base)
        approvals: queue.Queue = queue.Queue()
        workloads = [
            ClientWorkload(base=base, data=data, client=client, tally=tally, approvals=approvals)
            for client in data["clients"]
        ]
        workloads += [
            StaffWorkload(base=base, data=data, tally=tally, approvals=approvals) for _ in range(arguments.staff)
        ]
        print(f"traffic: {len(workloads)} threads for {arguments.duration:g} s on {base}", flush=True)
        started = time.monotonic()
        deadline = started + arguments.duration
        threads = [threading.Thread(target=workload.run, args=(deadline,)) for workload in workloads]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        books = settle(env, data_dir)
    finally:
        stop(web)
        stop(worker)

    lock_errors_logged = sum(len(LOCK_ERROR.findall(log.read_text(errors="replace"))) for log in data_dir.glob("*.log"))
    statuses = tally.statuses()
    requests_made = sum(statuses.values())
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    print(
        f"\n{requests_made} requests in {elapsed:.1f} s: {requests_made / elapsed:.1f} req/s "
        f"({arguments.clients} clients, {arguments.staff} staff)"
    )
    seconds = sorted(tally.seconds) or [0.0]
    print(
        f"latency: median {seconds[len(seconds) // 2] * 1000:.0f} ms, "
        f"95th percentile {seconds[int(len(seconds) * 0.95)] * 1000:.0f} ms, slowest {seconds[-1] * 1000:.0f} ms"
    )
    print("status counts: " + ", ".join(f"{status} × {count}" for status, count in sorted(statuses.items())))
    for operation, counter in sorted(tally.by_operation.items()):
        refusals = ", ".join(f"{code} × {count}" for code, count in sorted(tally.refusal_codes[operation].items()))
        statuses_line = ", ".join(f"{status} × {count}" for status, count in sorted(counter.items()))
        print(f"  {operation:<24} {statuses_line}" + (f"  ({refusals})" if refusals else ""))
    print(
        f"5xx: {server_errors}; lock errors answered: {tally.lock_errors_answered}; "
        f"lock errors in the logs: {lock_errors_logged}"
    )
    for sample in tally.samples:
        print("  " + sample)
    reconciled = (
        books["unbalanced_journals"] == 0
        and not books["reconciliation_differences"]
        and books["hold_differences"] == 0
        and set(books["outbox"]) <= {"done"}
    )
    print(
        f"books: {books['journals']} journals, {books['unbalanced_journals']} unbalanced; "
        f"reconciliation differences: {len(books['reconciliation_differences'])}; "
        f"hold differences: {books['hold_differences']}; outbox: {books['outbox']}"
    )
    for difference in books["reconciliation_differences"][:10]:
        print("  " + difference)
    print("ledger reconciled to the cent" if reconciled else "LEDGER DOES NOT RECONCILE")
    if arguments.keep:
        print(f"kept {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0 if reconciled and server_errors == 0 and lock_errors_logged == 0 else 1


def settle(env: dict, data_dir: Path, seconds: int = 180) -> dict:
    """Wait for the worker to finish the outbox (and beat's retries), then check the books."""
    waited_until = time.monotonic() + seconds
    while True:
        books = soak_data(env, data_dir, "--check")
        if set(books["outbox"]) <= {"done", "failed"} or time.monotonic() > waited_until:
            return books
        time.sleep(3)


if __name__ == "__main__":
    sys.exit(main())
