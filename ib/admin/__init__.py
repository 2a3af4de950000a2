"""The IB back office: one submodule per part (each registers its own admins)."""

from . import network, payouts, plans  # noqa: F401
