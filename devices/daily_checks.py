"""Daily checks for devices: licences ending and horizon gaps (data allowances and plans
ending are ``connectivity.daily_checks``).

Called by ``python manage.py run_daily_checks`` as ``run(today, stdout)``. Each alert is keyed
by item and condition (``Alert.key``, unique), so running twice, or every day, raises each alert
once; acknowledging an alert does not bring it back. Conditions:

* ``licence_ending``: a licence of an active device ending within 60 days with no other licence
  of the same product covering the day after. Key ``licence_ending:licence:<id>``.
* ``horizon_gap``: a device whose cover ends (licence, or data where it applies) this month or
  within the next two months, before the end of its three-year horizon
  (``devices.horizon.devices_losing_cover``). Key ``horizon_gap:device:<id>:<YYYY-MM>``.
"""

import datetime

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from devices.horizon import devices_losing_cover
from devices.models import Alert, Device, Licence

LICENCE_DAYS = 60
HORIZON_MONTHS_AHEAD = 3
BATCH = 5000


def raise_alerts(alerts):
    """Create the alerts whose key is new; returns how many were created."""
    if not alerts:
        return 0
    by_key = {a.key: a for a in alerts}
    keys = list(by_key)
    existing = set()
    for i in range(0, len(keys), BATCH):
        existing.update(Alert.objects.filter(key__in=keys[i : i + BATCH]).values_list("key", flat=True))
    new = [a for k, a in by_key.items() if k not in existing]
    # ignore_conflicts: a concurrent run raising the same key is not an error.
    Alert.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
    return len(new)


def licence_alerts(today):
    horizon = today + datetime.timedelta(days=LICENCE_DAYS)
    following = Licence.objects.filter(
        device_id=OuterRef("device_id"), product=OuterRef("product"), start__lte=OuterRef("end") + datetime.timedelta(days=1), end__gt=OuterRef("end")
    )
    licences = (
        Licence.objects.filter(end__gte=today, end__lte=horizon, device__in=Device.objects.active())
        .exclude(Exists(following))
        .values("pk", "end", "product", "device_id", "device__serial", "device__local_authority_id", "device__school_id")
    )
    products = dict(Licence.Product.choices)
    return [
        Alert(
            key=f"{Alert.Kind.LICENCE_ENDING}:licence:{lic['pk']}",
            kind=Alert.Kind.LICENCE_ENDING,
            local_authority_id=lic["device__local_authority_id"],
            school_id=lic["device__school_id"],
            device_id=lic["device_id"],
            message=(
                _("The %(product)s licence on device %(serial)s ends on %(end)s.")
                % {"product": str(products.get(lic["product"], lic["product"])).lower(), "serial": lic["device__serial"], "end": lic["end"].strftime("%d/%m/%Y")}
            )[:300],
            due=lic["end"],
        )
        for lic in licences.iterator(chunk_size=BATCH)
    ]


def horizon_alerts(today):
    alerts = []
    rows = devices_losing_cover(today, HORIZON_MONTHS_AHEAD)
    ids = [row[0] for row in rows]
    serials = {}
    for i in range(0, len(ids), BATCH):
        serials.update(Device.objects.filter(pk__in=ids[i : i + BATCH]).values_list("id", "serial"))
    for device_id, la_id, school_id, gap_month in rows:
        alerts.append(
            Alert(
                key=f"{Alert.Kind.HORIZON_GAP}:device:{device_id}:{gap_month:%Y-%m}",
                kind=Alert.Kind.HORIZON_GAP,
                local_authority_id=la_id,
                school_id=school_id,
                device_id=device_id,
                message=(
                    _("Device %(serial)s will be without licence or data cover from %(month)s, inside its three years.")
                    % {"serial": serials.get(device_id, device_id), "month": gap_month.strftime("%m/%Y")}
                )[:300],
                due=gap_month,
            )
        )
    return alerts


def run(today, stdout):
    """Raise every devices alert due on ``today``; prints how many of each were new.

    First, as a safety net, the trigger-kept cover columns are recomputed for every device
    (``devices.cover.refresh_cover``); the number it had to correct is printed and should be 0.
    """
    from devices.cover import refresh_child_flags, refresh_cover

    corrected = refresh_cover()
    stdout.write(f"Device cover columns checked: {corrected} corrected")
    corrected = refresh_child_flags()
    stdout.write(f"Child device flags checked: {corrected} corrected")
    counts = {}
    for name, check in (
        ("licences ending", licence_alerts),
        ("horizon gaps", horizon_alerts),
    ):
        counts[name] = raise_alerts(check(today))
    stdout.write("Devices alerts raised: " + ", ".join(f"{name} {n}" for name, n in counts.items()))
    return counts
