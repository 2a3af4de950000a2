"""The clients back office: the KYC review queue and what staff configure."""

from clients.admin import configuration, kyc  # noqa: F401  (registers the model admins)
