"""Who is an IB and under whom: promoting a client, moving an IB in the tree.

The tree is `IbProfile.parent` and its closure table `IbAncestry` (one row per IB and each of its
ancestors, itself at depth 0). Both change here only, in the same transaction, under one tree-wide
lock: two moves that each look harmless alone (A under a descendant of B, B under a descendant of A)
would together make a cycle, and a promotion under an IB being moved would copy ancestry about to
change. Tree changes are rare staff actions, so serialising them all costs nothing.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from crm.audit.services import audit_record
from crm.errors import Conflict, NotFound
from crm.users.models import User
from ib.errors import IbErrorCode
from ib.models import IbAncestry, IbProfile, RebatePlan

# No 0/O, 1/I/L: a code read aloud or copied from paper is typed right.
REFERRAL_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERRAL_CODE_LENGTH = 8
REFERRAL_CODE_ATTEMPTS = 10
# pg_advisory_xact_lock key of the IB tree (any constant no other lock of ours uses).
TREE_LOCK_KEY = 0x1B7EE


def tree_lock() -> None:
    """Hold the IB tree for the rest of the transaction. SQLite: every write transaction is already
    alone (IMMEDIATE), so there is nothing more to take."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])


def referral_code_generate() -> str:
    return "".join(secrets.choice(REFERRAL_CODE_ALPHABET) for _ in range(REFERRAL_CODE_LENGTH))


def ib_not_found() -> NotFound:
    return NotFound(code=IbErrorCode.IB_NOT_FOUND, message=_("No such IB."))


def _plan(plan_id: int | None) -> RebatePlan | None:
    if plan_id is None:
        return None
    plan = RebatePlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(code=IbErrorCode.PLAN_NOT_FOUND, message=_("No such rebate plan."))
    return plan


def _profile_create(*, user: User, parent: IbProfile | None, plan: RebatePlan | None, by: User | None) -> IbProfile:
    """The profile with a fresh random code; a collision (one in ~10^11 per IB) draws again."""
    for _attempt in range(REFERRAL_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return IbProfile.objects.create(
                    user=user, parent=parent, plan=plan, created_by=by, referral_code=referral_code_generate()
                )
        except IntegrityError:
            if IbProfile.objects.filter(user=user).exists():
                raise _already_an_ib() from None
    raise RuntimeError(f"no free referral code after {REFERRAL_CODE_ATTEMPTS} attempts")


def _already_an_ib() -> Conflict:
    return Conflict(code=IbErrorCode.ALREADY_AN_IB, message=_("This user is already an IB."))


# The closure table's statements; `{table}` is IbAncestry's table, values are parameters.
# A new IB: its parent's ancestors, one level further.
COPY_PARENT_ANCESTRY = (
    "INSERT INTO {table} (ib_id, ancestor_id, depth) SELECT %s, ancestor_id, depth + 1 FROM {table} WHERE ib_id = %s"
)
# A moved IB's subtree (itself and below) loses every link to the ancestors outside it…
DETACH_SUBTREE = (
    "DELETE FROM {table} WHERE ib_id IN (SELECT ib_id FROM {table} WHERE ancestor_id = %s) "
    "AND ancestor_id NOT IN (SELECT ib_id FROM {table} WHERE ancestor_id = %s)"
)
# … and gains one to each ancestor of the new parent (the parent itself included), for every node.
ATTACH_SUBTREE = (
    "INSERT INTO {table} (ib_id, ancestor_id, depth) "
    "SELECT below.ib_id, above.ancestor_id, above.depth + below.depth + 1 "
    "FROM {table} below, {table} above WHERE below.ancestor_id = %s AND above.ib_id = %s"
)


def _ancestry_execute(statement: str, parameters: list[int]) -> None:
    sql = statement.format(table=connection.ops.quote_name(IbAncestry._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)


@transaction.atomic
def ib_promote(*, user_id: int, parent_id: int | None, plan_id: int | None, promoted_by: User | None) -> IbProfile:
    """Make a client an IB: the IB role, a unique referral code, a place in the tree under `parent_id`
    (None: a top-level IB) and the closure rows that say so. The user keeps their client profile
    (an IB trades and passes KYC as a client does) and their own IB, if they had one."""
    tree_lock()
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound(code=IbErrorCode.USER_NOT_FOUND, message=_("No such user."))
    if user.is_staff:
        raise Conflict(code=IbErrorCode.STAFF_CANNOT_BE_IB, message=_("Staff accounts cannot become IBs."))
    if IbProfile.objects.filter(user=user).exists():
        raise _already_an_ib()
    parent = None
    if parent_id is not None:
        parent = IbProfile.objects.filter(pk=parent_id).first()
        if parent is None:
            raise ib_not_found()
    plan = _plan(plan_id)
    profile = _profile_create(user=user, parent=parent, plan=plan, by=promoted_by)
    IbAncestry.objects.create(ib=profile, ancestor=profile, depth=0)
    if parent is not None:
        _ancestry_execute(COPY_PARENT_ANCESTRY, [profile.pk, parent.pk])
    if user.role != User.Role.IB:
        user.role = User.Role.IB
        user.save(update_fields=["role"])
    audit_record(
        actor=promoted_by,
        action="ib.promoted",
        target=profile,
        data={"user_id": user.pk, "parent_id": parent_id, "plan_id": plan_id, "referral_code": profile.referral_code},
    )
    return profile


@transaction.atomic
def ib_move(*, ib_id: int, parent_id: int | None, moved_by: User | None) -> IbProfile:
    """Put an IB (with its whole downline) under another parent (None: top level).

    Refused when the new parent is the IB itself or one of its descendants (409 `ib_move_cycle`).
    The closure rows of the subtree are rebuilt in two statements, whatever its size: the links from
    the subtree to its old ancestors go, the links to the new parent's ancestors come. Commission
    lines already computed keep the chain they were computed with; later deals pay the new one.
    """
    tree_lock()
    profile = IbProfile.objects.select_for_update().filter(pk=ib_id).first()
    if profile is None:
        raise ib_not_found()
    old_parent_id = profile.parent_id
    if parent_id is not None:
        if not IbProfile.objects.filter(pk=parent_id).exists():
            raise ib_not_found()
        if IbAncestry.objects.filter(ib_id=parent_id, ancestor_id=profile.pk).exists():
            raise Conflict(
                code=IbErrorCode.IB_MOVE_CYCLE,
                message=_("An IB cannot be moved under itself or under one of its own sub-IBs."),
                fields={"parent": [_("Choose an IB outside this IB's downline.")]},
            )
    if parent_id == old_parent_id:
        return profile
    _ancestry_execute(DETACH_SUBTREE, [profile.pk, profile.pk])
    if parent_id is not None:
        _ancestry_execute(ATTACH_SUBTREE, [profile.pk, parent_id])
    profile.parent_id = parent_id
    profile.save(update_fields=["parent"])
    audit_record(
        actor=moved_by,
        action="ib.moved",
        target=profile,
        data={"from_parent_id": old_parent_id, "to_parent_id": parent_id},
    )
    return profile


@transaction.atomic
def ib_plan_set(*, ib_id: int, plan_id: int | None, set_by: User | None) -> IbProfile:
    """Change the plan that pays on this IB's clients' deals (from the next commission run on)."""
    profile = IbProfile.objects.select_for_update().filter(pk=ib_id).first()
    if profile is None:
        raise ib_not_found()
    plan = _plan(plan_id)
    if profile.plan_id == plan_id:
        return profile
    old_plan_id = profile.plan_id
    profile.plan = plan
    profile.save(update_fields=["plan"])
    audit_record(
        actor=set_by, action="ib.plan_set", target=profile, data={"from_plan_id": old_plan_id, "to_plan_id": plan_id}
    )
    return profile
