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



# --- requests: the council's and school's side
# Two more checks, run after the alerts above (``run`` is wrapped so the checks of the other
# parts of this module stay as they are):
# * ``extension_requests``: each plan that ``plan_alerts`` finds (ending within 30 days, no
#   follow-on) on an active SIM with a network gets an "extend" request waiting for the officer
#   to confirm or cancel, once per plan: not when the SIM has had an extend request raised since
#   the plan started (whatever became of it, so a cancelled one is not raised again).
# * ``request_overdue`` alerts: open requests with no change for N working days
#   (``connectivity.overdue``), keyed by request and last change (``request_overdue:request:
#   <id>:<last change>``), so a request that moves and stalls again is alerted again; an open
#   alert whose request has moved or closed since is acknowledged by the check.


def extension_requests(today):
    """Raise the automatic extension requests due on ``today``; returns how many were raised."""
    from connectivity import services
    from connectivity.models import NetworkRequest

    horizon = today + datetime.timedelta(days=PLAN_DAYS)
    later = DataPlan.objects.filter(sim_id=OuterRef("sim_id"), start__gt=OuterRef("start"), start__lte=OuterRef("end") + datetime.timedelta(days=1))
    asked = NetworkRequest.objects.filter(kind="extend", sim_id=OuterRef("sim_id"), created_at__date__gte=OuterRef("start"))
    plans = (
        DataPlan.objects.filter(end__gte=today, end__lte=horizon, sim__status=Sim.Status.ACTIVE, sim__network__isnull=False)
        .exclude(Exists(later)).exclude(Exists(asked))
        .values_list("sim_id", "end")
    )
    reasons = {}
    for sim_id, end in plans.iterator(chunk_size=BATCH):
        reasons.setdefault(sim_id, _("Raised by the daily check: the data plan ends on %(end)s and no plan follows it. Confirm to send it to the network, or cancel it.")
                           % {"end": end.strftime("%d/%m/%Y")})
    if not reasons:
        return 0
    result = services.raise_requests(sims=Sim.objects.filter(pk__in=list(reasons)), kind="extend", by=None, reasons=reasons, to_confirm=True)
    return len(result.raised)


def overdue_request_alerts(today):
    """The ``request_overdue`` alerts due now (``today`` is the run's date; working days are
    counted to now, as the list and the card count them)."""
    from connectivity.models import NetworkRequest
    from connectivity.overdue import overdue

    kind = Alert.Kind.REQUEST_OVERDUE
    rows = overdue(NetworkRequest.objects.all()).values_list(
        "pk", "kind", "changed_at", "local_authority_id", "school_id", "sim_id", "sim__device_id", "network__name"
    )
    labels = dict(NetworkRequest.Kind.choices)
    return [
        Alert(
            key=f"{kind}:request:{pk}:{changed:%Y%m%d%H%M%S}", kind=kind, local_authority_id=la_id, school_id=school_id,
            sim_id=sim_id, device_id=device_id,
            message=(_("Request %(ref)s (%(kind)s) to %(network)s has had no change since %(date)s.")
                     % {"ref": NetworkRequest(pk=pk).reference, "kind": labels.get(what, what), "network": network, "date": changed.strftime("%d/%m/%Y")})[:300],
            due=changed.date(),
        )
        for pk, what, changed, la_id, school_id, sim_id, device_id, network in rows.iterator(chunk_size=BATCH)
    ]


def clear_overdue_alerts():
    """Acknowledge open ``request_overdue`` alerts whose request has moved or closed since."""
    from django.utils import timezone

    from connectivity.models import NetworkRequest

    open_alerts = list(Alert.objects.filter(kind=Alert.Kind.REQUEST_OVERDUE, acknowledged_at__isnull=True).only("pk", "key", "acknowledged_at", "acknowledged_by"))
    if not open_alerts:
        return 0
    wanted = {}
    for alert in open_alerts:
        parts = alert.key.split(":")
        if len(parts) == 4 and parts[2].isdigit():
            wanted.setdefault(int(parts[2]), []).append((alert, parts[3]))
    still = {}
    ids = list(wanted)
    for i in range(0, len(ids), BATCH):
        still.update(
            (pk, f"{changed:%Y%m%d%H%M%S}")
            for pk, changed in NetworkRequest.objects.open().filter(pk__in=ids[i : i + BATCH]).values_list("pk", "changed_at")
        )
    cleared = [alert for request_pk, alerts in wanted.items() for alert, stamp in alerts if still.get(request_pk) != stamp]
    now = timezone.now()
    for i in range(0, len(cleared), BATCH):
        Alert.objects.filter(pk__in=[a.pk for a in cleared[i : i + BATCH]], acknowledged_at__isnull=True).update(acknowledged_at=now)
    for alert in cleared:
        alert.acknowledged_at = now
    if cleared:
        Alert.history.bulk_history_create(cleared, update=True, default_date=now, default_change_reason="cleared: the request moved or closed")
    return len(cleared)


def run(today, stdout):
    """Every connectivity check due on ``today``: the allowance and plan-ending alerts (their
    counts are returned), the idle SIMs with their alerts and check-ins, then the automatic
    extension requests and the overdue requests' alerts (each part prints what it did)."""
    counts = {name: raise_alerts(check(today)) for name, check in (("allowance", allowance_alerts), ("plans ending", plan_alerts))}
    stdout.write("Connectivity alerts raised: " + ", ".join(f"{name} {n}" for name, n in counts.items()))
    run_idle(today, stdout)
    extended = extension_requests(today)
    raised = raise_alerts(overdue_request_alerts(today))
    cleared = clear_overdue_alerts()
    stdout.write(f"Network requests: extension requests raised {extended}, overdue alerts raised {raised}, overdue alerts cleared {cleared}")
    return counts
