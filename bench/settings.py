"""The project's settings as the load benchmark serves them: production-like, plus a bare endpoint.

Only `bench/run.py` uses this module. It keeps every middleware, the authentication and the
throttles (their cost is part of what is measured) but raises the rates so that no request of the
benchmark is refused.
"""

from crm.settings import *  # noqa: F403
from crm.settings import DATABASES, REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# Production's default: a connection per worker, kept between requests.
DATABASES["default"]["CONN_MAX_AGE"] = 60
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "anon": "10000000/min",
        "user": "10000000/min",
    },
}
