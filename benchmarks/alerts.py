"""Alert scenarios: the alert list grouped by condition.

- ``alert_list_grouped``: the alert list (one line per condition, first page, with the devices
  and SIMs of each line) as the admin, who sees every LA's alerts, through the Django test
  Client, median of ``REQUESTS``, over ``alerts_for(scale)`` open allowance alerts spread over the
  synthetic devices' LAs, schools and twelve due months. Anchor: the naive way to group, every
  visible open alert loaded with its device and SIM and grouped in Python (what a view that
  groups a page of ``Alert`` objects must do to count every line), timed once.

The bench alerts (keys ``bench-alert:``) are removed afterwards.
"""

from __future__ import annotations

import datetime
import statistics
import time

from benchmarks import Result

REQUESTS = 5


def alerts_for(scale):
    return {"tiny": 2_000, "small": 20_000, "london": 100_000, "national": 200_000}.get(scale, 20_000)


def _make(n):
    from devices.models import Alert, Device

    devices = list(Device.objects.order_by("pk").values_list("pk", "local_authority_id", "school_id")[:n])
    batch = []
    for i, (device_id, la_id, school_id) in enumerate(devices):
        batch.append(
            Alert(
                key=f"bench-alert:{i}", kind=Alert.Kind.ALLOWANCE_WARNING, local_authority_id=la_id, school_id=school_id,
                device_id=device_id, message=f"Device {device_id} has used 85% of its data", due=datetime.date(2026, 1 + i % 12, 15),
            )
        )
        if len(batch) == 5000:
            Alert.objects.bulk_create(batch)
            batch = []
    Alert.objects.bulk_create(batch)
    return len(devices)


def _clean():
    from devices.models import Alert

    Alert.objects.filter(key__startswith="bench-alert:").delete()


def group_in_python(user):
    """The anchor: every open alert the user may see, grouped in Python."""
    from devices.models import Alert

    groups = {}
    for alert in Alert.objects.visible_to(user).open().select_related("local_authority", "school", "device", "sim"):
        key = (alert.kind, alert.local_authority_id, alert.school_id, alert.due.replace(day=1) if alert.due else None)
        groups.setdefault(key, []).append(alert)
    return sorted(groups.items(), key=lambda kv: max(a.raised_at for a in kv[1]), reverse=True)[:25]


def alert_list_grouped(scale, stdout):
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from accounts.models import User

    _clean()
    made = _make(alerts_for(scale))
    try:
        admin, _ = User.objects.get_or_create(username="bench-admin-all", defaults={"role": "admin", "is_staff": True, "is_superuser": True})
        client = Client(secure=True, headers={"x-forwarded-proto": "https"})
        with override_settings(AXES_ENABLED=False):  # no sign-in record for a client with no address
            client.force_login(admin)
        url = reverse("devices:alert_list") + "?state=open"
        client.get(url)  # the overdue-jobs check's first look
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        lines = response.content.count(b'<tr class="govuk-table__row">') - 1  # less the header row
        started = time.perf_counter()
        group_in_python(admin)
        anchor = time.perf_counter() - started
    finally:
        _clean()
    return Result("alert_list_grouped", statistics.median(times), anchor, {"alerts": made, "lines_on_page": lines})


SCENARIOS = [alert_list_grouped]
