"""Daily checks raise each alert once, whatever the number of runs."""

import datetime
import io

import pytest
from django.core.management import call_command

from connectivity import daily_checks as connectivity_checks
from devices import daily_checks as device_checks
from devices.models import Alert, DeviceKind
from connectivity.tests.factories import DataPlanFactory, SimFactory, UsageReadingFactory
from devices.tests.factories import DeviceFactory, LicenceFactory, RouterFactory

D = datetime.date
TODAY = D(2026, 3, 20)


@pytest.fixture
def data(la, school):
    router = RouterFactory(local_authority=la, school=school, delivered_on=D(2026, 1, 1))
    LicenceFactory(device=router, start=D(2026, 1, 1), end=D(2028, 12, 31))
    sim = SimFactory(local_authority=la, device=router)
    # Plan ends 10 April (within 30 days), no renewal: plan_ending + horizon gap (data) in April.
    DataPlanFactory(sim=sim, allowance_mb=1000, start=D(2026, 1, 1), end=D(2026, 4, 10))
    UsageReadingFactory(sim=sim, period=D(2026, 2, 1), mb_used=1200)  # last month: exhausted
    UsageReadingFactory(sim=sim, period=D(2026, 3, 1), granularity="day", mb_used=850)  # this month: warning
    # A second SIM whose plan is renewed: no plan_ending alert.
    renewed = SimFactory(local_authority=la)
    DataPlanFactory(sim=renewed, start=D(2026, 1, 1), end=D(2026, 4, 10))
    DataPlanFactory(sim=renewed, start=D(2026, 4, 11), end=D(2027, 4, 10))
    # Licence ending 1 May (within 60 days), not renewed: licence_ending; a laptop, so the
    # horizon gap is in May.
    laptop = DeviceFactory(local_authority=la, kind=DeviceKind.LAPTOP, delivered_on=D(2026, 1, 1))
    LicenceFactory(device=laptop, start=D(2026, 1, 1), end=D(2026, 5, 1))
    # Renewed licence: nothing ending.
    renewed_laptop = DeviceFactory(local_authority=la, delivered_on=D(2026, 1, 1))
    LicenceFactory(device=renewed_laptop, start=D(2026, 1, 1), end=D(2026, 5, 1))
    LicenceFactory(device=renewed_laptop, start=D(2026, 5, 2), end=D(2028, 12, 31))
    return {"router": router, "sim": sim, "laptop": laptop}


def run(today, out):
    """Both apps' hooks, in the order ``run_daily_checks`` calls them."""
    return {**device_checks.run(today, out), **connectivity_checks.run(today, out)}


def test_run_raises_each_alert_once(data):
    out = io.StringIO()
    counts = run(TODAY, out)
    assert counts == {"allowance": 2, "plans ending": 1, "licences ending": 1, "horizon gaps": 2}
    keys = set(Alert.objects.values_list("key", flat=True))
    sim, router, laptop = data["sim"].pk, data["router"].pk, data["laptop"].pk
    assert keys == {
        f"allowance_exhausted:sim:{sim}:2026-02",
        f"allowance_warning:sim:{sim}:2026-03",
        f"plan_ending:plan:{data['sim'].plans.get().pk}",
        f"licence_ending:licence:{data['laptop'].licences.get().pk}",
        f"horizon_gap:device:{router}:2026-04",
        f"horizon_gap:device:{laptop}:2026-05",
    }
    assert "allowance 2" in out.getvalue()
    assert run(TODAY, io.StringIO()) == {"allowance": 0, "plans ending": 0, "licences ending": 0, "horizon gaps": 0}
    assert run(TODAY + datetime.timedelta(days=1), io.StringIO())["allowance"] == 0
    assert Alert.objects.count() == 6
    alert = Alert.objects.get(kind="allowance_exhausted")
    assert alert.local_authority_id == data["sim"].local_authority_id and alert.device_id == router


def test_acknowledged_alerts_are_not_raised_again(data):
    run(TODAY, io.StringIO())
    Alert.objects.update(acknowledged_at=datetime.datetime(2026, 3, 20, tzinfo=datetime.timezone.utc))
    assert sum(run(TODAY, io.StringIO()).values()) == 0


def test_command_runs_the_checks(data, capsys):
    call_command("run_daily_checks", "--date", "2026-03-20")
    out = capsys.readouterr().out
    assert "Devices alerts raised: licences ending 1, horizon gaps 2" in out
    assert "Connectivity alerts raised: allowance 2, plans ending 1" in out
    call_command("run_daily_checks", "--date", "2026-03-20")
    out = capsys.readouterr().out
    assert "licences ending 0, horizon gaps 0" in out and "allowance 0, plans ending 0" in out


def test_daily_checks_mend_cover_columns_written_round_the_triggers(data, capsys):
    from devices.models import Device

    device = Device.objects.filter(licences__isnull=False).first() or Device.objects.first()
    expected = Device.objects.filter(pk=device.pk).values_list("licence_cover_end", "child_needs_data").get()
    Device.objects.filter(pk=device.pk).update(licence_cover_end=datetime.date(2000, 1, 1), child_needs_data=not expected[1])
    call_command("run_daily_checks", "--date", "2026-03-20")
    assert "Device cover columns checked: 1 corrected" in capsys.readouterr().out
    assert Device.objects.filter(pk=device.pk).values_list("licence_cover_end", "child_needs_data").get() == expected
