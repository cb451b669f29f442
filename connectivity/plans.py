"""Domain writes for a child's connection plan (where their data comes from when the current
plan ends) and the council's stock of data bank vouchers.

* ``choose_plan`` records a new current ``ConnectionPlan`` for a child, replacing the one
  before it (kept, ``is_current`` off, as history). The child's row is locked first, so two
  officers choosing at once end with one current plan (also a database constraint).
* ``give_voucher`` gives one voucher from the stock to one child and records the data bank
  plan: the voucher row is locked, and a voucher already given out, expired or of another
  council is refused; a child holds at most one voucher (database constraint too). A voucher
  code is never given out twice.

Every refusal is a ``ValidationError`` with a sentence for the officer; nothing is written.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from allocations.models import Child
from connectivity.models import ConnectionPlan, DataVoucher, NetworkRequest

K = ConnectionPlan.Kind


def voucher_months():
    """How long a data bank voucher's data is counted as cover, from the day it is given."""
    return int(getattr(settings, "CONNECTIVITY_VOUCHER_MONTHS", 6))


def current_plan(child):
    """The child's current ``ConnectionPlan``, or ``None`` ("no plan yet" when never chosen)."""
    return ConnectionPlan.objects.filter(child=child, is_current=True).select_related("voucher", "network_request").first()


def family_data_requests(child):
    """The child's requests for extra data on the family's own phone a plan may point to."""
    return NetworkRequest.objects.filter(child=child, kind=NetworkRequest.Kind.FAMILY_DATA).exclude(status=NetworkRequest.Status.CANCELLED)


def plan_problems(*, child, kind, provider="", outcome="", network_request=None, voucher=None):
    """What is wrong with this choice, as sentences (empty: it may be recorded). The form's
    check-your-answers page shows these, and ``choose_plan`` refuses with the same."""
    problems = []
    if child.anonymised_at:
        problems.append(_("This child's record has been anonymised."))
    if not child.needs_connectivity:
        problems.append(_("This child is not marked as needing connectivity."))
    if kind not in K.values:
        problems.append(_("Choose where the child's data will come from."))
    if kind == K.SOCIAL_TARIFF and not provider.strip():
        problems.append(_("Name the provider of the social tariff."))
    if kind != K.SOCIAL_TARIFF and outcome:
        problems.append(_("Only a social tariff referral has an outcome."))
    if kind == K.DATA_BANK and voucher is None:
        problems.append(_("Give the child a voucher from the stock."))
    if kind == K.FAMILY_DATA:
        if network_request is None:
            problems.append(_("Raise a request for extra data on the family's own phone first, then choose it here."))
        elif network_request.child_id != child.pk or network_request.kind != NetworkRequest.Kind.FAMILY_DATA:
            problems.append(_("Choose one of this child's requests for extra data."))
    elif network_request is not None:
        problems.append(_("Only extra data on the family's own phone is linked to a network request."))
    return problems


@transaction.atomic
def choose_plan(*, child, kind, by, provider="", outcome="", starts=None, ends=None, monthly_cost=None,
                network_request=None, voucher=None, notes="", now=None):
    """Record ``kind`` as the child's current connection plan; returns the new plan.

    The previous current plan (if any) is kept with ``is_current`` off and ``replaced_at``
    set. Refused (``ValidationError``, nothing written) by the rules of ``plan_problems`` and
    the model's own (cover-until not before the start). A data bank plan is recorded by
    ``give_voucher``, which passes the voucher it gave.
    """
    now = now or timezone.now()
    child = Child.objects.select_for_update().get(pk=child.pk)
    problems = plan_problems(child=child, kind=kind, provider=provider, outcome=outcome, network_request=network_request, voucher=voucher)
    if problems:
        raise ValidationError(problems)
    plan = ConnectionPlan(
        child=child, kind=kind, provider=provider.strip(), outcome=outcome, starts=starts, ends=ends,
        monthly_cost=monthly_cost, network_request=network_request, voucher=voucher, notes=notes.strip(),
        is_current=True, chosen_by=by, chosen_at=now,
    )
    plan.full_clean(exclude=["child", "voucher", "network_request", "chosen_by"], validate_constraints=False)
    ConnectionPlan.objects.filter(child=child, is_current=True).update(is_current=False, replaced_at=now)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise ValidationError(_("The plan could not be recorded: check the dates and try again.")) from None
    return plan


def _find_voucher(*, child, voucher, code, today):
    qs = DataVoucher.objects.select_for_update()
    if voucher is not None:
        return qs.filter(pk=voucher.pk).first()
    if code:
        return qs.filter(code__iexact=code.strip(), local_authority_id=child.local_authority_id).first()
    return qs.filter(local_authority_id=child.local_authority_id).in_stock(today).order_by("expires", "pk").first()


@transaction.atomic
def give_voucher(*, child, by, voucher=None, code="", notes="", now=None):
    """Give ``voucher`` (or the one with ``code``, or the next in the council's stock: the
    soonest to expire) to ``child`` and make a data bank plan their current plan.

    Returns the new ``ConnectionPlan``. Refused, with nothing written, when the voucher was
    already given out (to anyone: a code is never given twice), has expired, belongs to
    another council (said as "not found", so codes of other councils are not revealed), when
    the child already holds a voucher, or by ``choose_plan``'s rules. The child's row is locked
    before the voucher's, in that order everywhere.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    child = Child.objects.select_for_update().get(pk=child.pk)
    found = _find_voucher(child=child, voucher=voucher, code=code, today=today)
    if found is None or found.local_authority_id != child.local_authority_id:
        if voucher is None and not code:
            raise ValidationError(_("There are no data bank vouchers in stock. Import the provider's list first."))
        raise ValidationError(_("No voucher with this code is in the council's stock."))
    if found.given_to_id is not None:
        raise ValidationError(_("Voucher %(code)s has already been given out: a voucher code cannot be given twice.") % {"code": found.code})
    if found.expires and found.expires < today:
        raise ValidationError(_("Voucher %(code)s expired on %(date)s.") % {"code": found.code, "date": found.expires.strftime("%d/%m/%Y")})
    held = DataVoucher.objects.filter(given_to=child).first()
    if held is not None:
        raise ValidationError(_("This child has already been given voucher %(code)s.") % {"code": held.code})
    found.given_to, found.given_at, found.given_by = child, now, by
    try:
        with transaction.atomic():
            found.save(update_fields=["given_to", "given_at", "given_by"])
    except IntegrityError:
        raise ValidationError(_("Voucher %(code)s has already been given out: a voucher code cannot be given twice.") % {"code": found.code}) from None
    from devices.horizon import add_months

    # The voucher's expiry is the last day it can be redeemed, not the end of its data.
    ends = add_months(today, voucher_months()) - datetime.timedelta(days=1)
    return choose_plan(
        child=child, kind=K.DATA_BANK, by=by, provider=found.provider, starts=today, ends=ends,
        monthly_cost=None, voucher=found, notes=notes, now=now,
    )


def anonymise_plans(child):
    """Blank the notes of the child's connection plans and of their history (called by
    ``allocations.services.anonymise_child``); the plans themselves stay, for the counts."""
    ids = list(ConnectionPlan.objects.filter(child=child).values_list("pk", flat=True))
    ConnectionPlan.objects.filter(pk__in=ids).update(notes="")
    ConnectionPlan.history.filter(id__in=ids).update(notes="")
