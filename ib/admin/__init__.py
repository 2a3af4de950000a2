from ib.admin import network  # noqa: F401
