"""Daily checks for connectivity: data allowances and data plans ending.

Called by ``python manage.py run_daily_checks`` as ``run(today, stdout)``, after the devices
checks (``INSTALLED_APPS`` order). Alerts are keyed by item and condition (``Alert.key``), so
running twice raises each alert once. Conditions:

* ``allowance_warning`` / ``allowance_exhausted``: per SIM per month, for this month and last
  month (monthly bills arrive after the month ends), by ``connectivity.monitoring.sim_months``;
  a SIM already exhausted gets the exhausted alert only. Key
  ``allowance_<state>:sim:<id>:<YYYY-MM>``.
* ``plan_ending``: a data plan ending within 30 days with no later plan on the same SIM
  starting by the day after it ends. Key ``plan_ending:plan:<id>``.
"""

import datetime

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from connectivity.models import DataPlan, Sim
from connectivity.monitoring import EXHAUSTED, WARNING, sim_months
from devices.daily_checks import BATCH, raise_alerts
from devices.horizon import add_months
from devices.models import Alert

PLAN_DAYS = 30


def allowance_alerts(today):
    alerts = []
    this_month = today.replace(day=1)
    for month in (add_months(this_month, -1), this_month):
        usage = sim_months(Sim.objects.all(), month)
        flagged = {sid: u for sid, u in usage.items() if u.state in (WARNING, EXHAUSTED)}
        sims = {}
        ids = list(flagged)
        for i in range(0, len(ids), BATCH):
            for sim in Sim.objects.filter(pk__in=ids[i : i + BATCH]).values("pk", "iccid", "local_authority_id", "device_id", "device__school_id"):
                sims[sim["pk"]] = sim
        for sim_id, u in flagged.items():
            sim = sims.get(sim_id)
            if sim is None:
                continue
            kind = Alert.Kind.ALLOWANCE_EXHAUSTED if u.state == EXHAUSTED else Alert.Kind.ALLOWANCE_WARNING
            values = {"iccid": sim["iccid"], "month": month.strftime("%m/%Y"), "used": round(u.used_mb), "allowance": u.allowance_mb, "percent": u.percent}
            if u.state == EXHAUSTED:
                message = _("SIM %(iccid)s has used all of its data for %(month)s (%(used)s of %(allowance)s MB).") % values
            else:
                message = _("SIM %(iccid)s has used %(percent)s%% of its data for %(month)s (%(used)s of %(allowance)s MB).") % values
            alerts.append(
                Alert(
                    key=f"{kind}:sim:{sim_id}:{month:%Y-%m}",
                    kind=kind,
                    local_authority_id=sim["local_authority_id"],
                    school_id=sim["device__school_id"],
                    device_id=sim["device_id"],
                    sim_id=sim_id,
                    message=message[:300],
                    due=u.projected_runout,
                )
            )
    return alerts


def plan_alerts(today):
    horizon = today + datetime.timedelta(days=PLAN_DAYS)
    later = DataPlan.objects.filter(sim_id=OuterRef("sim_id"), start__gt=OuterRef("start"), start__lte=OuterRef("end") + datetime.timedelta(days=1))
    plans = (
        DataPlan.objects.filter(end__gte=today, end__lte=horizon)
        .exclude(Exists(later))
        .values("pk", "end", "allowance_mb", "sim_id", "sim__iccid", "sim__local_authority_id", "sim__device_id", "sim__device__school_id")
    )
    return [
        Alert(
            key=f"{Alert.Kind.PLAN_ENDING}:plan:{p['pk']}",
            kind=Alert.Kind.PLAN_ENDING,
            local_authority_id=p["sim__local_authority_id"],
            school_id=p["sim__device__school_id"],
            device_id=p["sim__device_id"],
            sim_id=p["sim_id"],
            message=(_("The data plan on SIM %(iccid)s ends on %(end)s.") % {"iccid": p["sim__iccid"], "end": p["end"].strftime("%d/%m/%Y")})[:300],
            due=p["end"],
        )
        for p in plans.iterator(chunk_size=BATCH)
    ]


def run(today, stdout):
    """Raise every connectivity alert due on ``today``; prints how many of each were new."""
    counts = {name: raise_alerts(check(today)) for name, check in (("allowance", allowance_alerts), ("plans ending", plan_alerts))}
    stdout.write("Connectivity alerts raised: " + ", ".join(f"{name} {n}" for name, n in counts.items()))
    run_idle(today, stdout)  # --- idle SIMs and check-ins (prints its own counts)
    return counts


# --- idle SIMs and check-ins


def idle_alerts(idle, today):
    """A ``sim_idle`` or ``usage_stopped`` alert per idle SIM, once per SIM and month (key
    ``idle:sim:<id>:<YYYY-MM>``, the same for both kinds)."""
    from django.conf import settings

    from connectivity.idle import STOPPED

    month = today.replace(day=1)
    alerts = []
    for s in idle:
        values = {"iccid": s.iccid, "serial": s.serial, "days": settings.CONNECTIVITY_IDLE_DAYS, "mb": round(s.previous_mb)}
        if s.reason == STOPPED:
            kind = Alert.Kind.USAGE_STOPPED
            message = _("SIM %(iccid)s in device %(serial)s used about %(mb)s MB a month and has used no data for %(days)s days.") % values
        else:
            kind = Alert.Kind.SIM_IDLE
            message = _("SIM %(iccid)s in device %(serial)s, with a child, has used no data for %(days)s days.") % values
        alerts.append(Alert(
            key=f"idle:sim:{s.sim_id}:{month:%Y-%m}", kind=kind, local_authority_id=s.local_authority_id,
            school_id=s.school_id, device_id=s.device_id, sim_id=s.sim_id, message=message[:300], due=today,
        ))
    return alerts


def run_idle(today, stdout):
    """Idle SIMs (``connectivity.idle``): their alerts, and a check-in to each family once a month
    (``connectivity.checkins.send_checkins``)."""
    from connectivity.checkins import send_checkins

    win, idle, sent = send_checkins(today)
    raised = raise_alerts(idle_alerts(idle, today))
    as_of = win.data_date.isoformat() if win else "no usage data"
    stdout.write(f"Idle SIMs (usage to {as_of}): {len(idle)}, alerts raised {raised}, check-ins sent {sent}")
    return {"idle SIMs": raised, "check-ins": sent}
