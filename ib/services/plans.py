"""Rebate plan versions: staff edit drafts, publish them, and copy any version into a new draft.

A published version is never changed (a change is a new version), so every commission line keeps
pointing at the rule that made it. Publishing is refused when it would apply the version to deals
the engine has already computed under another one: its `effective_from` must be later than the
newest published version's and not before the close time of the newest deal already computed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clients.trading.models import ClosedDeal
from crm.audit.services import audit_record
from crm.errors import ApplicationError, Conflict, NotFound
from crm.users.models import User
from ib.models import CommissionRunState, RebatePlan, RebatePlanVersion, RebateRate

Status = RebatePlanVersion.Status


class PlanErrorCode(StrEnum):
    PLAN_VERSION_NOT_FOUND = "plan_version_not_found"  # 404
    PLAN_VERSION_PUBLISHED = "plan_version_published"  # 409: published versions are read-only
    PLAN_VERSION_WITHOUT_RATES = "plan_version_without_rates"  # 400: nothing to publish
    PLAN_VERSION_EFFECTIVE_TOO_EARLY = "plan_version_effective_too_early"  # 400, fields.effective_from


class PlanError(ApplicationError):
    """400."""


class PlanNotFound(PlanError, NotFound):
    """404."""


class PlanConflict(PlanError, Conflict):
    """409."""


def _locked_version(version_id: int) -> RebatePlanVersion:
    """The version, after a lock on its plan: versions of one plan are numbered and published one at a time."""
    plan_id = RebatePlanVersion.objects.filter(pk=version_id).values_list("plan_id", flat=True).first()
    if plan_id is None:
        raise PlanNotFound(code=PlanErrorCode.PLAN_VERSION_NOT_FOUND, message=_("Plan version not found."))
    RebatePlan.objects.select_for_update().filter(pk=plan_id).first()
    return RebatePlanVersion.objects.select_for_update().select_related("plan").get(pk=version_id)


def published_version_refusal() -> PlanConflict:
    return PlanConflict(
        code=PlanErrorCode.PLAN_VERSION_PUBLISHED,
        message=_("A published plan version cannot be changed; copy it as a new draft instead."),
    )


def _too_early(effective_from: datetime, message: str) -> PlanError:
    return PlanError(
        code=PlanErrorCode.PLAN_VERSION_EFFECTIVE_TOO_EARLY, message=message, fields={"effective_from": [message]}
    )


def _computed_until() -> datetime | None:
    """The close time of the newest deal the commission run has computed (None: none yet)."""
    state = CommissionRunState.objects.order_by("pk").first()
    if state is None or not state.last_deal_id:
        return None
    return ClosedDeal.objects.filter(pk__lte=state.last_deal_id).aggregate(last=Max("close_time"))["last"]


def _check_effective_from(version: RebatePlanVersion) -> None:
    newest = (
        RebatePlanVersion.objects.filter(plan_id=version.plan_id, status=Status.PUBLISHED)
        .exclude(pk=version.pk)
        .order_by("-effective_from")
        .first()
    )
    if newest is not None and version.effective_from <= newest.effective_from:
        raise _too_early(
            version.effective_from,
            _("The version must apply from later than version %(number)s, which applies from %(start)s.")
            % {"number": newest.number, "start": date_format(timezone.localtime(newest.effective_from), "Y-m-d H:i")},
        )
    computed = _computed_until()
    if computed is not None and version.effective_from < computed:
        raise _too_early(
            version.effective_from,
            _("Commissions are already computed for deals closed up to %(time)s; the version must apply from then on.")
            % {"time": date_format(timezone.localtime(computed), "Y-m-d H:i:s")},
        )


@transaction.atomic
def plan_version_publish(*, version_id: int, published_by: User) -> RebatePlanVersion:
    """Publish a draft: from its `effective_from` on it pays the deals of the plan's IBs."""
    version = _locked_version(version_id)
    if version.status != Status.DRAFT:
        raise published_version_refusal()
    if not version.rates.exists():
        raise PlanError(
            code=PlanErrorCode.PLAN_VERSION_WITHOUT_RATES,
            message=_("This version has no rates: add at least one before publishing it."),
        )
    _check_effective_from(version)
    version.status, version.published_by, version.published_at = Status.PUBLISHED, published_by, timezone.now()
    version.save(update_fields=["status", "published_by", "published_at"])
    audit_record(
        actor=published_by,
        action="ib.plan_version.published",
        target=version,
        data={
            "plan_id": version.plan_id,
            "number": version.number,
            "effective_from": version.effective_from.isoformat(),
        },
    )
    return version


@transaction.atomic
def plan_version_copy(*, version_id: int, copied_by: User) -> RebatePlanVersion:
    """A new draft of the same plan with the version's cap, minimum and rates, numbered next."""
    source = _locked_version(version_id)
    number = (RebatePlanVersion.objects.filter(plan_id=source.plan_id).aggregate(last=Max("number"))["last"] or 0) + 1
    draft = RebatePlanVersion.objects.create(
        plan_id=source.plan_id,
        number=number,
        status=Status.DRAFT,
        effective_from=max(source.effective_from, timezone.now()).replace(microsecond=0),
        cap_per_lot=source.cap_per_lot,
        minimum_payout=source.minimum_payout,
    )
    RebateRate.objects.bulk_create(
        RebateRate(
            version=draft,
            level=rate.level,
            account_type_id=rate.account_type_id,
            symbol_group=rate.symbol_group,
            symbol=rate.symbol,
            per_lot=rate.per_lot,
            commission_percent=rate.commission_percent,
            spread_percent=rate.spread_percent,
        )
        for rate in source.rates.order_by("pk")
    )
    audit_record(actor=copied_by, action="ib.plan_version.copied", target=draft, data={"from_version_id": source.pk})
    return draft


def plan_version_editable(*, version_id: int) -> RebatePlanVersion:
    """Lock a version about to be edited, refusing a published one. Call it in the editing transaction."""
    version = _locked_version(version_id)
    if version.status != Status.DRAFT:
        raise published_version_refusal()
    return version


@transaction.atomic
def plan_version_draft_save(*, version: RebatePlanVersion, saved_by: User) -> RebatePlanVersion:
    """Save a draft's fields as staff edited them (a new version is numbered next in its plan)."""
    if version.pk is None:
        RebatePlan.objects.select_for_update().filter(pk=version.plan_id).first()
        last = RebatePlanVersion.objects.filter(plan_id=version.plan_id).aggregate(last=Max("number"))["last"]
        version.number, version.status = (last or 0) + 1, Status.DRAFT
        version.save()
        audit_record(actor=saved_by, action="ib.plan_version.created", target=version)
        return version
    plan_version_editable(version_id=version.pk)
    version.status = Status.DRAFT  # whatever a form says: only publishing publishes
    version.save(update_fields=["effective_from", "cap_per_lot", "minimum_payout"])
    audit_record(actor=saved_by, action="ib.plan_version.changed", target=version)
    return version
