"""A local HTTP server standing in for a captcha provider: records requests, answers as told."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    headers: dict[str, str]
    body: bytes


@dataclass
class StubServer:
    """`reply(recorded) -> (status, body)` decides each answer; `delay` slows it down."""

    reply: object = None
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""
    delay: float = 0.0

    def answer(self, recorded: Recorded) -> tuple[int, bytes]:
        status, body = self.reply(recorded)
        return status, body if isinstance(body, bytes) else json.dumps(body).encode()


def serve(stub: StubServer):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            recorded = Recorded(
                headers=dict(self.headers.items()),
                body=self.rfile.read(int(self.headers.get("Content-Length") or 0)),
            )
            stub.requests.append(recorded)
            if stub.delay:
                threading.Event().wait(stub.delay)
            status, body = stub.answer(recorded)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    return server, thread


# --- Tencent Cloud's side ---------------------------------------------------------------

SECRET_ID = "AKIDtest0123456789"
SECRET_KEY = "test-secret-key-0123456789"
AUTHORIZATION = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[a-z]+)/tc3_request, "
    r"SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})$"
)


def expected_signature(recorded, *, secret_key: str) -> str:
    """Tencent's side, written out independently: rebuild the canonical request from what arrived."""
    match = AUTHORIZATION.match(recorded.headers["Authorization"])
    names = match["signed"].split(";")
    lowered = {name.lower(): value for name, value in recorded.headers.items()}
    canonical_headers = "".join(f"{name}:{lowered[name].strip().lower()}\n" for name in names)
    canonical_request = (
        f"POST\n/\n\n{canonical_headers}\n{match['signed']}\n{hashlib.sha256(recorded.body).hexdigest()}"
    )
    timestamp = lowered["x-tc-timestamp"]
    scope = f"{match['date']}/{match['service']}/tc3_request"
    string_to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
    key = f"TC3{secret_key}".encode()
    for part in (match["date"], match["service"], "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def tencent_answer(captcha_code: int = 1):
    """A stand-in for Tencent: checks the signature like Tencent does, then answers `captcha_code`."""

    def reply(recorded):
        match = AUTHORIZATION.match(recorded.headers.get("Authorization", ""))
        if not match or match["signature"] != expected_signature(recorded, secret_key=SECRET_KEY):
            return 200, {
                "Response": {
                    "Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad signature"},
                    "RequestId": "r-1",
                }
            }
        return 200, {"Response": {"CaptchaCode": captcha_code, "CaptchaMsg": "OK", "EvilLevel": 0, "RequestId": "r-2"}}

    return reply
