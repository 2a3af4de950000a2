"""What each kind of `PlatformOperation` carries, and how it is run through a gateway.

Payloads are JSON: amounts are strings of decimals (never floats), logins and leverages integers.

- `create_account`: group, currency, leverage, name, email, main_password, investor_password, is_demo
  → result `{"login": 500001}`
- `set_leverage`: login, leverage → `{"login", "leverage"}`
- `set_password`: login, kind (`main`/`investor`), password → `{"login", "kind"}`
- `balance`: login, kind (`deposit`/`withdrawal`/`credit_in`/`credit_out`), amount, comment
  → `{"deal_id", "balance", "credit", "applied_now"}` (amounts as strings)

Passwords never sit in the stored payload: it keeps their keys with empty values, and the values
travel sealed (`PlatformOperation.sealed_secrets`) until the executing task opens them; the seal is
erased once the operation is done or given up.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from crm.platforms.errors import PlatformErrorCode, PlatformOperationInvalid
from crm.platforms.gateway import AccountSpec, BalanceKind, PasswordKind, PlatformGateway
from crm.platforms.models import PlatformOperation
from crm.redaction import is_secret_key

Kind = PlatformOperation.Kind


def normalized_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as it will be stored: JSON-safe, `Decimal`s as strings."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def without_secrets(payload: dict[str, Any]) -> dict[str, Any]:
    return {key: ("" if is_secret_key(key) else value) for key, value in payload.items()}


def secrets_of(payload: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in payload.items() if is_secret_key(key)}


def invalid(message: str, field: str | None = None) -> PlatformOperationInvalid:
    return PlatformOperationInvalid(
        code=PlatformErrorCode.INVALID_PLATFORM_PAYLOAD, message=message, fields={field: [message]} if field else None
    )


class _Reader:
    """Typed, strict access to one payload's fields."""

    def __init__(self, payload: Any, fields: set[str]) -> None:
        if not isinstance(payload, dict):
            raise invalid("The payload must be an object.")
        unknown = set(payload) - fields
        if unknown:
            raise invalid(f"Unknown payload fields: {', '.join(sorted(unknown))}.")
        self.payload = payload

    def get(self, name: str, kind: type, default: Any = ...) -> Any:
        if name not in self.payload:
            if default is ...:
                raise invalid(f"{name} is required.", name)
            return default
        value = self.payload[name]
        # bool is an int in Python; a login of True is a mistake, not 1.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise invalid(f"{name} must be a {kind.__name__}.", name)
        return value

    def choice(self, name: str, choices: type) -> Any:
        value = self.get(name, str)
        try:
            return choices(value)
        except ValueError:
            raise invalid(f"{name} must be one of {', '.join(choices.values)}.", name) from None

    def amount(self, name: str) -> Decimal:
        value = self.get(name, str)  # floats are refused: amounts travel as strings of decimals
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise invalid(f"{name} must be a decimal number.", name) from None
        if not amount.is_finite():
            raise invalid(f"{name} must be a decimal number.", name)
        return amount


@dataclass(frozen=True)
class CreateAccount:
    spec: AccountSpec

    def run(self, gateway: PlatformGateway, idempotency_key: str) -> dict[str, Any]:
        created = gateway.create_account(self.spec, idempotency_key=idempotency_key)
        return {"login": created.login}


@dataclass(frozen=True)
class SetLeverage:
    login: int
    leverage: int

    def run(self, gateway: PlatformGateway, idempotency_key: str) -> dict[str, Any]:
        gateway.set_leverage(self.login, self.leverage)
        return {"login": self.login, "leverage": self.leverage}


@dataclass(frozen=True)
class SetPassword:
    login: int
    kind: PasswordKind
    password: str

    def run(self, gateway: PlatformGateway, idempotency_key: str) -> dict[str, Any]:
        gateway.set_password(self.login, self.kind, self.password)
        return {"login": self.login, "kind": str(self.kind)}


@dataclass(frozen=True)
class Balance:
    login: int
    kind: BalanceKind
    amount: Decimal
    comment: str

    def run(self, gateway: PlatformGateway, idempotency_key: str) -> dict[str, Any]:
        result = gateway.balance_operation(
            self.login, self.kind, self.amount, idempotency_key=idempotency_key, comment=self.comment
        )
        return {
            "deal_id": result.deal_id,
            "balance": str(result.balance),
            "credit": str(result.credit),
            "applied_now": result.applied_now,
        }


Command = CreateAccount | SetLeverage | SetPassword | Balance


def _create_account(payload: Any) -> CreateAccount:
    read = _Reader(
        payload,
        {"group", "currency", "leverage", "name", "email", "main_password", "investor_password", "is_demo"},
    )
    return CreateAccount(
        AccountSpec(
            group=read.get("group", str),
            currency=read.get("currency", str),
            leverage=read.get("leverage", int),
            name=read.get("name", str, ""),
            email=read.get("email", str, ""),
            main_password=read.get("main_password", str),
            investor_password=read.get("investor_password", str),
            is_demo=read.get("is_demo", bool),
        )
    )


def _set_leverage(payload: Any) -> SetLeverage:
    read = _Reader(payload, {"login", "leverage"})
    return SetLeverage(login=read.get("login", int), leverage=read.get("leverage", int))


def _set_password(payload: Any) -> SetPassword:
    read = _Reader(payload, {"login", "kind", "password"})
    return SetPassword(
        login=read.get("login", int), kind=read.choice("kind", PasswordKind), password=read.get("password", str)
    )


def _balance(payload: Any) -> Balance:
    read = _Reader(payload, {"login", "kind", "amount", "comment"})
    amount = read.amount("amount")
    if amount <= 0:
        raise invalid("amount must be positive.", "amount")
    return Balance(
        login=read.get("login", int),
        kind=read.choice("kind", BalanceKind),
        amount=amount,
        comment=read.get("comment", str, ""),
    )


PARSERS: dict[str, Callable[[Any], Command]] = {
    Kind.CREATE_ACCOUNT: _create_account,
    Kind.SET_LEVERAGE: _set_leverage,
    Kind.SET_PASSWORD: _set_password,
    Kind.BALANCE: _balance,
}


def command_for(kind: str, payload: Any) -> Command:
    """The typed command a stored payload stands for; `PlatformOperationInvalid` if it cannot be run."""
    parser = PARSERS.get(kind)
    if parser is None:
        raise invalid(f"Unknown operation kind {kind!r}.", "kind")
    return parser(payload)
