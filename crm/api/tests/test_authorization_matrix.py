"""The authorization matrix, generated from the URL conf and the schema (see `operations.py`):

- every operation that is not public answers 401 `not_authenticated` without a token;
- every operation that names an object answers 404 to a user naming someone else's, and changes nothing,
  while the same call with the user's own object goes through (so the 404 is the ownership's doing);
  client operations are tried by a client and by an IB (IBs use the client portal as clients do);
- every read that names no object (lists, counts, settings) shows nothing of other users' objects;
- the IB portal refuses clients (403 `not_an_ib`), and both portals refuse staff (403 `not_a_portal_user`).
  No API operation is for staff only: the back office is the Django admin.

A new operation is covered without anyone adding it here; a new id-like parameter makes
`test_every_id_parameter_is_registered` fail until `owned_objects.py` says what it points at.
"""

from __future__ import annotations

from typing import Any

import pytest

from clients.tests.factories import kyc_template
from clients.trading.tests.factories import client_user
from crm.api.tests.operations import Operation, api_operations
from crm.api.tests.owned_objects import (
    OWNED_KINDS,
    SHARED_KINDS,
    database_snapshot,
    kind_of,
    matrix_account_type,
    portal_user,
)
from crm.users.models import User
from crm.users.tests.factories import StaffFactory
from funds.tests.factories import ExchangeRateFactory, currency

pytestmark = pytest.mark.django_db

OPERATIONS = api_operations()
PROTECTED = [operation for operation in OPERATIONS if not operation.is_public]

# Values of the parameters that name no object, valid for every operation taking them (amounts fit the
# channels and accounts `owned_objects` makes).
ARGUMENTS: dict[str, Any] = {
    "amount": "100.00",
    "deposit_amount": "100.00",
    "withdrawal_amount": "100.00",
    "remittance_amount": "100.00",
    "fee": "0.00",
    "exchange_rate": "1",
    "currency": "USD",
    "method": "bank_transfer",
    "leverage": 200,
    "remark": "authorization matrix",
    "password": "Matrix-Pass-7",
    "type": "trade",
    "page": 1,
    "size": 20,
    "trading_platform": "MT5",
    "from_currency": "USD",
    "to_currency": "CNY",
    "enabled": True,
}
# Where one operation needs another value than `ARGUMENTS` gives.
OPERATION_ARGUMENTS: dict[tuple[str, str], Any] = {
    ("client.trading_account.list_balances", "type"): "normal",
}


def portal_role(operation: Operation) -> str:
    return User.Role.IB if operation.operation_id.startswith("ib.") else User.Role.CLIENT


def intruder_roles(operation: Operation) -> list[str]:
    """An IB uses the client portal as a client does, so client operations are tried by both."""
    return [User.Role.IB] if portal_role(operation) == User.Role.IB else [User.Role.CLIENT, User.Role.IB]


def owned_id_parameters(operation: Operation) -> list[str]:
    return [
        parameter.name
        for parameter in operation.id_parameters
        if kind_of(operation_id=operation.operation_id, group=operation.group, name=parameter.name) in OWNED_KINDS
    ]


IB_PORTAL = [operation for operation in PROTECTED if portal_role(operation) == User.Role.IB]
PORTALS = [operation for operation in PROTECTED if operation.operation_id.startswith(("client.", "ib."))]
# What a user reads without naming an object: lists, counts, their own settings.
READS = [operation for operation in PROTECTED if operation.method == "get" and not operation.id_parameters]
# What a user does to objects they name.
OBJECT_WRITES = [operation for operation in PROTECTED if operation.method != "get" and owned_id_parameters(operation)]
CROSS_OWNER_CASES = [
    pytest.param(operation, name, role, id=f"{operation}:{name}:{role}")
    for operation in PROTECTED
    for name in owned_id_parameters(operation)
    for role in intruder_roles(operation)
]


def call(api, operation: Operation, arguments: dict | None = None):
    if operation.method == "get":
        return api.get(operation.path, arguments or {})
    return getattr(api, operation.method)(operation.path, arguments or {}, format="json")


def assert_refused(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert body["message"], body
    return body


def own_arguments(operation: Operation, caller: User) -> dict[str, Any]:
    """Valid arguments for `caller`: their own objects for the id parameters, `ARGUMENTS` for the rest."""
    arguments = {}
    for parameter in operation.parameters:
        kind = kind_of(operation_id=operation.operation_id, group=operation.group, name=parameter.name)
        if parameter.is_id_like:
            assert kind in OWNED_KINDS, f"{operation}: give {kind!r} a factory in owned_objects.OWNED_KINDS"
            arguments[parameter.name] = OWNED_KINDS[kind](caller)
        elif parameter.is_required:
            value = OPERATION_ARGUMENTS.get((operation.operation_id, parameter.name), ARGUMENTS.get(parameter.name))
            assert value is not None, f"{operation}: add a valid {parameter.name!r} to ARGUMENTS"
            arguments[parameter.name] = value
    return arguments


VARIES = "<differs between two identical requests>"


def steady(first: Any, second: Any) -> Any:
    """`first` with every part that differs in `second` (the same request again) replaced by VARIES."""
    if first == second:
        return first
    if isinstance(first, dict) and isinstance(second, dict) and first.keys() == second.keys():
        return {key: steady(first[key], second[key]) for key in first}
    if isinstance(first, list) and isinstance(second, list) and len(first) == len(second):
        return [steady(one, other) for one, other in zip(first, second, strict=True)]
    return VARIES


def masked(value: Any, template: Any) -> Any:
    """`value` with VARIES wherever `template` (a `steady` answer) has it."""
    if template == VARIES:
        return VARIES
    if isinstance(value, dict) and isinstance(template, dict):
        return {key: masked(item, template.get(key)) for key, item in value.items()}
    if isinstance(value, list) and isinstance(template, list) and len(value) == len(template):
        return [masked(item, pattern) for item, pattern in zip(value, template, strict=True)]
    return value


def reads_of(api, reader: User, operations: list[Operation]) -> dict[str, tuple[int, Any]]:
    api.login_as(reader)
    return {
        operation.operation_id: (response.status_code, response.json())
        for operation in operations
        for response in [call(api, operation, own_arguments(operation, reader))]
    }


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def test_the_url_conf_and_the_schema_list_the_same_operations(client):
    schema_paths = {
        (path, method)
        for path, item in client.get("/api/schema/?format=json").json()["paths"].items()
        for method in item
        if path.startswith("/api/v1/")
    }

    assert {(operation.path, operation.method) for operation in OPERATIONS} == schema_paths
    public = {operation.operation_id for operation in OPERATIONS if operation.is_public}
    assert {"public.auth.login", "client.user.register"} <= public
    assert "client.trading_account.get_account" not in public


def test_every_id_parameter_is_registered():
    unknown = [
        f"{operation}: {parameter.name}"
        for operation in PROTECTED
        for parameter in operation.id_parameters
        if kind_of(operation_id=operation.operation_id, group=operation.group, name=parameter.name)
        not in {**OWNED_KINDS, **SHARED_KINDS}
    ]

    assert unknown == [], (
        "These parameters name objects the authorization matrix does not know. Add each to "
        "crm/api/tests/owned_objects.PARAMETER_KINDS, with its kind in OWNED_KINDS (a factory making one "
        "for a given owner) or, for a catalogue every user may name, in SHARED_KINDS (say why): " + ", ".join(unknown)
    )


@pytest.mark.parametrize("operation", PROTECTED, ids=str)
def test_without_a_token_is_401(api, operation):
    body = assert_refused(call(api, operation), 401)

    assert body["code"] == "not_authenticated"


@pytest.mark.parametrize("operation", IB_PORTAL, ids=str)
def test_a_client_token_on_the_ib_portal_is_403(api, operation):
    api.login_as(client_user())

    body = assert_refused(call(api, operation), 403)

    assert body["code"] == "not_an_ib"


@pytest.mark.parametrize("operation", PORTALS, ids=str)
def test_a_staff_token_on_a_portal_is_403(api, operation):
    api.login_as(StaffFactory())

    body = assert_refused(call(api, operation), 403)

    assert body["code"] == "not_a_portal_user"


@pytest.mark.parametrize(("operation", "parameter", "intruder_role"), CROSS_OWNER_CASES)
def test_another_users_object_is_404_and_changes_nothing(api, operation, parameter, intruder_role):
    owner = portal_user(role=portal_role(operation))
    intruder = portal_user(role=intruder_role)
    arguments = own_arguments(operation, intruder)
    kind = kind_of(operation_id=operation.operation_id, group=operation.group, name=parameter)
    someone_elses = OWNED_KINDS[kind](owner)
    api.login_as(intruder)

    before = database_snapshot()
    response = call(api, operation, {**arguments, parameter: someone_elses})
    after = database_snapshot()

    body = assert_refused(response, 404)
    assert body["code"].endswith("not_found"), body
    assert changed_tables(before, after) == []
    # The same call naming the intruder's own object goes through: the 404 was the ownership's doing.
    control = call(api, operation, arguments)
    assert control.status_code == 200, control.content[:500]


def test_what_a_user_reads_is_the_same_after_someone_else_used_every_operation(api):
    """Other users get one object of every kind and use every operation that names one; every list, count
    and setting a user reads stays as it was (parts that differ between two identical requests, such as
    fresh upload credentials, aside)."""
    matrix_account_type(is_demo=False)
    matrix_account_type(is_demo=True)
    ExchangeRateFactory(from_currency=currency("USD"), to_currency=currency("CNY"))
    kyc_template()
    roles = [User.Role.CLIENT, User.Role.IB]
    readers = {role: portal_user(role=role) for role in roles}
    reads = {role: [operation for operation in READS if role in intruder_roles(operation)] for role in roles}
    first = {role: reads_of(api, readers[role], reads[role]) for role in roles}
    second = {role: reads_of(api, readers[role], reads[role]) for role in roles}

    for role in roles:
        owner = portal_user(role=role)
        for make in OWNED_KINDS.values():
            make(owner)
        api.login_as(owner)
        for operation in OBJECT_WRITES:
            if portal_role(operation) == role:
                response = call(api, operation, own_arguments(operation, owner))
                assert response.status_code == 200, (operation, response.content[:500])
    after = {role: reads_of(api, readers[role], reads[role]) for role in roles}

    # Every read answers its reader (local storage answers 409 `storage_is_local` for upload credentials).
    assert [read for role in roles for read, (status, _body) in first[role].items() if status in (401, 403, 404)] == []
    expected = {role: steady(first[role], second[role]) for role in roles}
    changed = [
        f"{read} (read by a {role})"
        for role in roles
        for read in first[role]
        if masked(after[role][read], expected[role][read]) != expected[role][read]
    ]
    assert changed == [], "another user's objects show in: " + ", ".join(changed)
