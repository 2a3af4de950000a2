"""The IB back office: one submodule per part (each registers its own admins)."""

from . import plans  # noqa: F401
