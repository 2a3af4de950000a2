"""The IB network's refusals and their stable codes (the engine and payouts keep theirs in their packages)."""

from __future__ import annotations

from enum import StrEnum


class IbErrorCode(StrEnum):
    NOT_AN_IB = "not_an_ib"  # 403: the IB portal, for a user who is not an IB
    IB_NOT_FOUND = "ib_not_found"  # 404
    USER_NOT_FOUND = "user_not_found"  # 404
    PLAN_NOT_FOUND = "rebate_plan_not_found"  # 404
    CLIENT_NOT_FOUND = "client_not_found"  # 404: not one of the IB's visible clients (or unknown)
    TRADING_ACCOUNT_NOT_FOUND = "trading_account_not_found"  # 404: not one of the visible accounts
    REBATE_ACCOUNT_NOT_FOUND = "rebate_account_not_found"  # 404: not one of the IB's rebate accounts
    APPLICATION_NOT_FOUND = "ib_application_not_found"  # 404
    ALREADY_AN_IB = "already_an_ib"  # 409
    STAFF_CANNOT_BE_IB = "staff_cannot_be_ib"  # 409: staff work in the back office
    IB_MOVE_CYCLE = "ib_move_cycle"  # 409: the new parent is the IB itself or in its downline
    APPLICATION_PENDING = "ib_application_pending"  # 409: one pending application at a time
    APPLICATION_NOT_PENDING = "ib_application_not_pending"  # 409
    REASON_REQUIRED = "reason_required"  # 400, fields.reason
    SELF_ATTRIBUTION = "ib_self_attribution"  # 409: an IB cannot be its own client's IB
    ATTRIBUTION_UNCHANGED = "attribution_unchanged"  # 409: the client already belongs to that IB
    ATTRIBUTION_TOO_EARLY = "attribution_effective_from_too_early"  # 409, extra `earliest`
    ATTRIBUTION_IN_FUTURE = "attribution_effective_from_in_future"  # 400
    CLIENT_IS_STAFF = "client_is_staff"  # 409: staff are nobody's clients
    REBATE_ACCOUNT_EXISTS = "rebate_account_exists"  # 409
    REBATE_ACCOUNT_NOT_USABLE = "rebate_account_not_usable"  # 409: not the IB's own active live account
