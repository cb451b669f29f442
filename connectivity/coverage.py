"""Per-device figures for the device page: monthly data use against the allowance.

The 36-month licence and data cover strip comes from ``devices.horizon.device_months``.
"""

import datetime

from connectivity.models import UsageReading

WARNING_SHARE = 0.8


def _month_end(day):
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def allowance_for_month(plans, month_start):
    """The largest monthly allowance among ``plans`` active at any time in the month (``None``: no plan)."""
    end = _month_end(month_start)
    allowances = [p.allowance_mb for p in plans if p.start <= end and p.end >= month_start]
    return max(allowances) if allowances else None


def usage_months(sim, plans, limit=12):
    """The SIM's last ``limit`` monthly readings, oldest first, each with its allowance.

    Each item: ``month``, ``used_mb``, ``allowance_mb`` (or ``None``), ``percent`` (of the
    allowance, rounded), ``bar`` (the percent capped at 100, for the bar's width) and
    ``state`` (``ok``, ``warning`` at 80% or more, ``exhausted`` at 100% or more, ``no_plan``).
    One query.
    """
    readings = list(
        UsageReading.objects.filter(sim=sim, granularity=UsageReading.Granularity.MONTH)
        .order_by("-period")
        .values_list("period", "mb_used")[:limit]
    )
    result = []
    for period, used in reversed(readings):
        month = period.replace(day=1)
        allowance = allowance_for_month(plans, month)
        if allowance:
            percent = round(used * 100 / allowance)
            state = "exhausted" if used >= allowance else "warning" if used >= WARNING_SHARE * allowance else "ok"
        else:
            percent, state = None, "no_plan"
        result.append(
            {
                "month": month,
                "used_mb": round(used),
                "allowance_mb": allowance,
                "percent": percent,
                "bar": min(100, percent) if percent is not None else 0,
                "state": state,
            }
        )
    return result


def plans_with_labels(sim):
    """The SIM's plans, each with ``payer_label`` (DfE, Council, ...) for display."""
    from devices.models import Licence

    labels = dict(Licence.Payer.choices)
    plans = list(sim.plans.all()) if sim else []
    for plan in plans:
        plan.payer_label = labels.get(plan.payer, plan.payer)
    return plans
