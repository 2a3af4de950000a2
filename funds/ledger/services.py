"""Writes to the ledger: its accounts (created on first use) and journals.

Money services call `journal_post` inside their own transaction (it is atomic but not durable),
in the same transaction as the state change and the outbox operation it books, so the three
stand or fall together:

    with transaction.atomic(durable=True):
        deposit = Deposit.objects.select_for_update().get(pk=deposit_id)
        ...
        journal_post(
            kind=Journal.Kind.DEPOSIT,
            lines=[(broker_bank_account(channel=channel, currency="USD"), amount),
                   (client_trading_account(trading_account=account), -amount)],
            reference=deposit, memo="D2026…", by=staff, idempotency_key=f"deposit:{deposit.pk}",
        )

Lines are `(account, amount)` with `amount` a `Decimal` (positive debits, negative credits); see
`funds.ledger.models` for the chart of accounts and `exchange_lines` for conversions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from crm.users.models import User
from funds.ledger.errors import LedgerConflict, LedgerError, LedgerErrorCode, UnbalancedJournal
from funds.ledger.models import AMOUNT, Entry, Journal, LedgerAccount

Kind = LedgerAccount.Kind
Line = tuple[LedgerAccount, Decimal]
MAX_DECIMAL_PLACES = AMOUNT["decimal_places"]
MAX_WHOLE_DIGITS = AMOUNT["max_digits"] - AMOUNT["decimal_places"]


# --- Accounts ---------------------------------------------------------------------------------------


def ledger_account_get_or_create(
    *,
    kind: str,
    currency: str,
    trading_account: models.Model | None = None,
    channel: models.Model | None = None,
    server: models.Model | None = None,
) -> LedgerAccount:
    """The account of the chart for these coordinates, created the first time (safe under concurrency)."""
    currency = currency.upper()
    with translation.override("en"):  # names are stored once, in one language
        code, name = _code_and_name(kind, currency, trading_account=trading_account, channel=channel, server=server)
    account, _created = LedgerAccount.objects.get_or_create(
        code=code,
        defaults={
            "name": name[:200],
            "kind": kind,
            "currency": currency,
            "trading_account": trading_account,
            "channel": channel,
            "server": server,
        },
    )
    return account


def _code_and_name(kind: str, currency: str, *, trading_account, channel, server) -> tuple[str, str]:
    if kind in LedgerAccount.PER_TRADING_ACCOUNT:
        code, name = f"{kind}:{trading_account.pk}", f"{Kind(kind).label}: {trading_account}"
    elif kind == Kind.BROKER_BANK:
        code, name = f"{kind}:{channel.pk}:{currency}", f"{Kind(kind).label}: {channel} {currency}"
    elif kind == Kind.PLATFORM_CLEARING:
        code, name = f"{kind}:{server.pk}:{currency}", f"{Kind(kind).label}: {server} {currency}"
    else:
        code, name = f"{kind}:{currency}", f"{Kind(kind).label} {currency}"
    return code, name


def client_trading_account(*, trading_account) -> LedgerAccount:
    """What the client has on the platform through the CRM, in the trading account's currency."""
    return ledger_account_get_or_create(
        kind=Kind.CLIENT_TRADING, currency=trading_account.currency, trading_account=trading_account
    )


def client_hold_account(*, trading_account) -> LedgerAccount:
    """Money taken off the trading account for a withdrawal or transfer not settled yet."""
    return ledger_account_get_or_create(
        kind=Kind.CLIENT_HOLD, currency=trading_account.currency, trading_account=trading_account
    )


def broker_bank_account(*, channel, currency: str) -> LedgerAccount:
    return ledger_account_get_or_create(kind=Kind.BROKER_BANK, currency=currency, channel=channel)


def platform_clearing_account(*, server, currency: str) -> LedgerAccount:
    return ledger_account_get_or_create(kind=Kind.PLATFORM_CLEARING, currency=currency, server=server)


def fee_income_account(*, currency: str) -> LedgerAccount:
    return ledger_account_get_or_create(kind=Kind.FEE_INCOME, currency=currency)


def fx_conversion_account(*, currency: str) -> LedgerAccount:
    return ledger_account_get_or_create(kind=Kind.FX_CONVERSION, currency=currency)


def demo_funding_account(*, currency: str) -> LedgerAccount:
    return ledger_account_get_or_create(kind=Kind.DEMO_FUNDING, currency=currency)


def bonus_expense_account(*, currency: str) -> LedgerAccount:
    return ledger_account_get_or_create(kind=Kind.BONUS_EXPENSE, currency=currency)


def exchange_lines(
    *, debit: LedgerAccount, debit_amount: Decimal, credit: LedgerAccount, credit_amount: Decimal
) -> list[Line]:
    """Lines that debit `debit` and credit `credit`, through `fx_conversion` when their currencies differ.

    Both amounts are positive, each in its account's currency; in one currency they must be equal.
    """
    if debit_amount <= 0 or credit_amount <= 0:
        raise _invalid("Exchange amounts must be positive.")
    if debit.currency == credit.currency:
        if debit_amount != credit_amount:
            raise _unbalanced({debit.currency: debit_amount - credit_amount})
        return [(debit, debit_amount), (credit, -credit_amount)]
    return [
        (debit, debit_amount),
        (fx_conversion_account(currency=debit.currency), -debit_amount),
        (fx_conversion_account(currency=credit.currency), credit_amount),
        (credit, -credit_amount),
    ]


# --- Journals ---------------------------------------------------------------------------------------


def reference_of(target: models.Model | str) -> str:
    """`deposits.deposit:12` for a model instance; a string is taken as it is."""
    if isinstance(target, models.Model):
        return f"{target._meta.label_lower}:{target.pk}"
    return str(target)


def _invalid(message: str) -> LedgerError:
    return LedgerError(code=LedgerErrorCode.JOURNAL_INVALID, message=message)


def _unbalanced(sums: dict[str, Decimal]) -> UnbalancedJournal:
    detail = ", ".join(f"{currency} {total:+}" for currency, total in sorted(sums.items()))
    return UnbalancedJournal(
        code=LedgerErrorCode.JOURNAL_UNBALANCED,
        message=_("The journal does not balance: %(detail)s.") % {"detail": detail},
    )


def _checked_lines(lines: Sequence[Line]) -> list[Line]:
    if len(lines) < 2:
        raise _invalid("A journal has at least two lines.")
    sums: dict[str, Decimal] = defaultdict(Decimal)
    checked = []
    for account, amount in lines:
        if not isinstance(account, LedgerAccount) or account.pk is None:
            raise _invalid("Every line needs a saved ledger account.")
        if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
            raise _invalid("Amounts are Decimals (never floats).")
        amount = Decimal(amount)
        if not amount.is_finite() or amount == 0:
            raise _invalid("Amounts are finite and not zero.")
        sign, digits, exponent = amount.normalize().as_tuple()
        assert isinstance(exponent, int)  # finite (checked above), so never 'n', 'N' or 'F'
        if -exponent > MAX_DECIMAL_PLACES or len(digits) + exponent > MAX_WHOLE_DIGITS:
            raise _invalid(f"Amounts have at most {MAX_DECIMAL_PLACES} decimal places and {MAX_WHOLE_DIGITS} digits.")
        sums[account.currency] += amount
        checked.append((account, amount))
    unbalanced = {currency: total for currency, total in sums.items() if total != 0}
    if unbalanced:
        raise _unbalanced(unbalanced)
    return checked


def _signature(pairs) -> list[tuple[int, Decimal]]:
    return sorted((account_id, Decimal(amount).normalize()) for account_id, amount in pairs)


def _same_journal(journal: Journal, lines: list[Line]) -> Journal:
    """`journal` if it holds exactly `lines`; a key reused for other money is refused."""
    stored = journal.entries.values_list("account_id", "amount")
    if _signature(stored) != _signature((account.pk, amount) for account, amount in lines):
        raise LedgerConflict(
            code=LedgerErrorCode.JOURNAL_IDEMPOTENCY_KEY_REUSED,
            message=_("This idempotency key was already used for another journal."),
        )
    return journal


@transaction.atomic
def journal_post(
    *,
    kind: str,
    lines: Sequence[Line],
    reference: models.Model | str = "",
    memo: str = "",
    by: User | None = None,
    idempotency_key: str,
    reverses: Journal | None = None,
) -> Journal:
    """Write one balanced journal, or return the one already written with this idempotency key.

    Not durable: call it inside the transaction of the change it books. Refuses (400) fewer than
    two lines, zero or too precise amounts, and lines that do not sum to zero in each currency;
    the same key with different lines is 409 `journal_idempotency_key_reused`.
    """
    if not 0 < len(idempotency_key) <= 100:
        raise _invalid("The idempotency key has 1 to 100 characters.")
    checked = _checked_lines(lines)
    existing = Journal.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_journal(existing, checked)
    try:
        # A savepoint: a concurrent post of the same key waits for the first and then fails here.
        with transaction.atomic():
            journal = Journal.objects.create(
                kind=kind,
                reference=reference_of(reference)[:100],
                memo=memo[:500],
                created_by=by,
                idempotency_key=idempotency_key,
                reverses=reverses,
            )
    except IntegrityError:
        existing = Journal.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:  # the other constraint: this journal was already reversed
            raise LedgerConflict(
                code=LedgerErrorCode.JOURNAL_ALREADY_REVERSED, message=_("This journal was already reversed.")
            ) from None
        return _same_journal(existing, checked)
    Entry.objects.bulk_create(Entry(journal=journal, account=account, amount=amount) for account, amount in checked)
    return journal


@transaction.atomic
def journal_reverse(*, journal: Journal, by: User | None, memo: str, idempotency_key: str = "") -> Journal:
    """A correction: a new journal with every entry of `journal` negated. A journal is reversed once."""
    idempotency_key = idempotency_key or f"reverse:{journal.pk}"
    reversal = Journal.objects.filter(reverses=journal).first()
    if reversal is not None:
        if reversal.idempotency_key == idempotency_key:
            return reversal
        raise LedgerConflict(
            code=LedgerErrorCode.JOURNAL_ALREADY_REVERSED, message=_("This journal was already reversed.")
        )
    lines = [(entry.account, -entry.amount) for entry in journal.entries.select_related("account")]
    return journal_post(
        kind=Journal.Kind.CORRECTION,
        lines=lines,
        reference=journal.reference,
        memo=memo,
        by=by,
        idempotency_key=idempotency_key,
        reverses=journal,
    )
