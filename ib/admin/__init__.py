"""The IB back office: one submodule per part (each helper's own), imported here so admin autodiscovery finds them."""

from ib.admin import payouts  # noqa: F401
