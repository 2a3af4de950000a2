"""The funds app's refusals.

Codes of the core (channels, currencies, exchange rates, payout accounts):

- `FundsError` (400): `amount_not_positive`, `amount_too_precise`, `amount_below_minimum`,
  `amount_above_maximum`, `currency_not_supported`, `invalid_input` (payout account details);
  each names the offending field in `fields`.
- `FundsNotFound` (404): `channel_not_found`, `currency_not_found`, `exchange_rate_not_found`,
  `payout_account_not_found`.

The deposit, withdrawal and transfer modules add their own codes to these classes.
"""

from crm.errors import ApplicationError, NotFound


class FundsError(ApplicationError):
    """A request the funds rules refuse (400 unless a subclass says otherwise)."""


class FundsNotFound(FundsError, NotFound):
    """The object does not exist, or is not the caller's (404)."""
