"""The summary tables (reports/summaries.py) give exactly the figures of the direct queries,
after every kind of write: create, status change, delete, bulk writes, imports, a school
moved to another LA, the date rolling past a plan's end; and compaction and rebuilds keep
them so."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import LocalAuthority, School
from accounts.tests.factories import SchoolFactory
from allocations import services as allocation_services
from allocations.models import Allocation, Child
from allocations.tests.factories import AllocationFactory, ChildFactory
from devices import services as device_services
from devices.horizon import cliff_edge
from connectivity.models import DataPlan, Sim
from devices.models import Device, DeviceKind, Licence
from connectivity.tests.factories import DataPlanFactory, SimFactory
from devices.tests.factories import DeviceFactory, LicenceFactory, RouterFactory
from reports import figures, summaries
from reports.models import ChildCount, DeviceCount, HorizonCount

pytestmark = pytest.mark.django_db

D = datetime.date
OTHER_DAY = D(2025, 3, 14)


def all_figures(today):
    las = list(LocalAuthority.objects.order_by("pk").values_list("pk", flat=True))
    return {
        "la_shortfall": figures.la_shortfall(None, today),
        "la_shortfall_some": figures.la_shortfall(las[:1], today),
        "schools": [figures.school_shortfall(pk, today) for pk in las],
        "cliff_edge": cliff_edge(today),
        "cliff_edge_some": cliff_edge(today, la_ids=las[:1]),
        "cliff_edge_other_day": cliff_edge(OTHER_DAY),
        "cliff_edge_none": cliff_edge(today, la_ids=[]),
        "horizon": figures.horizon(None, today),
    }


def assert_equal_to_direct(monkeypatch):
    """Every summary-backed figure equals the same figure from the source tables."""
    today = timezone.localdate()
    assert summaries.data_date() == today  # so the children figures do read the summaries
    from_summaries = all_figures(today)
    monkeypatch.setattr(summaries, "ENABLED", False)
    direct = all_figures(today)
    monkeypatch.setattr(summaries, "ENABLED", True)
    for name, value in direct.items():
        assert from_summaries[name] == value, name
    return from_summaries


@pytest.fixture
def world(la, school, other_la, other_school):
    """Devices of every kind and many statuses and dates, licences, SIMs, plans (one ending
    today, one starting tomorrow), children with and without allocations, in two LAs."""
    today = timezone.localdate()
    second = SchoolFactory(local_authority=la)
    made = {"la": la, "other_la": other_la, "school": school, "second": second, "other_school": other_school}
    statuses = ["delivered", "in_stock", "allocated", "handed_over", "ownership_transferred", "fault_reported", "lost", "written_off", "returned"]
    devices = []
    for i, status in enumerate(statuses * 2):
        owner, at = (la, [school, second, None][i % 3]) if i % 4 else (other_la, other_school)
        kind = [DeviceKind.LAPTOP, DeviceKind.TABLET, DeviceKind.ROUTER][i % 3]
        dates = {}
        if i % 5:
            dates["delivered_on"] = today - datetime.timedelta(days=40 * i)
        else:
            dates["delivered_on"] = None
        if status in ("handed_over", "ownership_transferred") and i % 2:
            dates["handed_over_on"] = today - datetime.timedelta(days=20 * i)
        device = DeviceFactory(local_authority=owner, school=at, kind=kind, status=status, **dates)
        devices.append(device)
        if i % 3 == 1:
            LicenceFactory(device=device, start=today - datetime.timedelta(days=400), end=today + datetime.timedelta(days=30 * i))
    children = []
    for i, device in enumerate(devices[:12]):
        child = ChildFactory(school=device.school or school if device.local_authority == la else other_school, needs_laptop=i % 4 != 3, needs_connectivity=i % 2 == 0)
        children.append(child)
        if device.status in ("allocated", "handed_over", "ownership_transferred", "fault_reported"):
            status = "planned" if device.status == "allocated" else "handed_over"
            AllocationFactory(child=child, device=device, status=status, handed_over_on=today if status == "handed_over" else None)
    for i, device in enumerate(d for d in devices if d.kind == DeviceKind.ROUTER):
        sim = SimFactory(local_authority=device.local_authority, device=device)
        DataPlanFactory(sim=sim, start=today - datetime.timedelta(days=100), end=today if i % 2 else today + datetime.timedelta(days=200))
        if i % 3 == 0:
            DataPlanFactory(sim=sim, start=today + datetime.timedelta(days=1), end=today + datetime.timedelta(days=400))
    ChildFactory(school=second, needs_laptop=True, needs_connectivity=True)
    made.update(devices=devices, children=children)
    return made


def test_the_figures_read_the_summary_tables(world, django_assert_max_num_queries):
    assert DeviceCount.objects.exists() and ChildCount.objects.exists() and HorizonCount.objects.exists()
    today = timezone.localdate()
    # data date, children, devices, estimates, LAs: no query touches the source tables' rows.
    with django_assert_max_num_queries(5):
        figures.la_shortfall(None, today)
    with django_assert_max_num_queries(6):  # the query in a savepoint, and two SET LOCALs on PostgreSQL
        cliff_edge(today)


def test_after_creating_rows(world, monkeypatch):
    figures_now = assert_equal_to_direct(monkeypatch)
    assert sum(s.devices for s in figures_now["la_shortfall"]) > 0
    assert sum(s.children_connected for s in figures_now["la_shortfall"]) > 0
    assert sum(e.devices for e in figures_now["cliff_edge"].values()) > 0


def test_after_status_changes_through_the_services(world, monkeypatch, officer):
    la, school = world["la"], world["school"]
    stock = [d for d in world["devices"] if d.status == "in_stock" and d.local_authority == la]
    child = ChildFactory(school=school, needs_connectivity=True)
    allocation = allocation_services.allocate(child=child, device=stock[0], by=officer)
    assert_equal_to_direct(monkeypatch)
    allocation_services.hand_over(allocation=allocation, on=timezone.localdate(), handed_over_by="Officer", received_by="Parent", by=officer)
    assert_equal_to_direct(monkeypatch)
    device = Device.objects.get(pk=stock[0].pk)
    device_services.report_fault(device=device, by=officer, note="screen")
    device_services.mark_lost(device=Device.objects.get(pk=device.pk), by=officer)
    assert_equal_to_direct(monkeypatch)
    for allocation in Allocation.objects.filter(child__local_authority=la, status="handed_over")[:2]:
        allocation_services.return_device(allocation=allocation, on=timezone.localdate(), by=officer, reason="left school")
    assert_equal_to_direct(monkeypatch)


def test_after_queryset_updates_and_edits(world, monkeypatch):
    la = world["la"]
    Device.objects.filter(local_authority=la, status="delivered").update(status="in_stock")
    Device.objects.filter(kind=DeviceKind.TABLET).update(kind=DeviceKind.LAPTOP)  # kind corrected
    Device.objects.filter(local_authority=la).update(handed_over_on=None)
    Child.objects.filter(local_authority=la).update(needs_connectivity=True)
    child = Child.objects.filter(local_authority=la).first()
    child.needs_laptop = False
    child.save()
    Licence.objects.update(end=timezone.localdate() + datetime.timedelta(days=900))
    DataPlan.objects.filter(end=timezone.localdate()).update(end=timezone.localdate() - datetime.timedelta(days=1))
    assert_equal_to_direct(monkeypatch)


def test_after_deletes(world, monkeypatch):
    DataPlan.objects.filter(pk__in=DataPlan.objects.values("pk")[:2]).delete()
    Sim.objects.filter(pk=Sim.objects.order_by("pk").values("pk")[:1]).delete()
    Allocation.objects.filter(pk__in=Allocation.objects.values("pk")[:2]).delete()
    Licence.objects.filter(pk=Licence.objects.order_by("pk").values("pk")[:1]).delete()
    Device.objects.filter(pk__in=[d.pk for d in world["devices"] if not d.allocations.exists()][:3]).delete()
    Child.objects.filter(pk__in=[c.pk for c in world["children"] if not c.allocations.exists()][:2]).delete()
    assert_equal_to_direct(monkeypatch)


def test_after_bulk_writes_and_anonymising(world, monkeypatch):
    la, school = world["la"], world["school"]
    Device.objects.bulk_create([Device(serial=f"BULK{i}", kind=DeviceKind.ROUTER, local_authority=la, school=school, status="in_stock") for i in range(5)])
    routers = list(Device.objects.filter(serial__startswith="BULK"))
    sims = Sim.objects.bulk_create([Sim(iccid=SimFactory.build().iccid, msisdn=f"+447700901{i:03d}", network=None, local_authority=la, device=d) for i, d in enumerate(routers)])
    today = timezone.localdate()
    DataPlan.objects.bulk_create([DataPlan(sim=s, allowance_mb=3072, start=today, end=today + datetime.timedelta(days=10)) for s in sims])
    kids = Child.objects.bulk_create([Child(local_authority=la, school=school, reference=f"B{i}", needs_connectivity=True) for i in range(5)])
    Allocation.objects.bulk_create([Allocation(child=c, device=d, status="planned") for c, d in zip(kids, routers)])
    assert_equal_to_direct(monkeypatch)
    allocation_services.anonymise_child(child=Child.objects.get(pk=kids[0].pk))
    assert_equal_to_direct(monkeypatch)


def test_after_the_allocation_import(la, school, monkeypatch, tmp_path):
    from allocations.tests.test_allocation_import import HEADER
    from core.imports.testing import csv_bytes

    laptops = [DeviceFactory(serial=f"LAP-{i}", local_authority=la) for i in range(3)]
    router = RouterFactory(serial="RTR-1", local_authority=la)
    sim = SimFactory(device=router, local_authority=la)
    DataPlanFactory(sim=sim, start=timezone.localdate() - datetime.timedelta(days=5), end=timezone.localdate() + datetime.timedelta(days=50))
    rows = [HEADER] + [
        [school.urn, f"C-{i}", "Ana", "Nowak", "Y7", laptops[i].serial, sim.iccid if i == 0 else None, "Maria Nowak", "07700 900123", "polski", "yes", "yes", "FSM"]
        for i in range(3)
    ]
    path = tmp_path / "children.csv"
    path.write_bytes(csv_bytes(rows))
    call_command("import_allocations", str(path), "--la", la.code, stdout=io.StringIO())
    assert Child.objects.filter(local_authority=la).count() == 3
    result = assert_equal_to_direct(monkeypatch)
    assert result["la_shortfall"][0].children_connected == 1


def test_after_a_school_moves_to_another_la(tmp_path, monkeypatch):
    from accounts.tests.test_gias_safety import moved_file, run
    from accounts.tests.test_import_schools import SAMPLE, sample_rows

    run(SAMPLE)
    header, rows = sample_rows()
    school = School.objects.get(urn=int(rows[0][header.index("URN")]))
    other = next(r for r in rows if r[header.index("LA (code)")] != rows[0][header.index("LA (code)")])
    for i in range(3):
        child = ChildFactory(school=school, needs_connectivity=True)
        device = DeviceFactory(local_authority=school.local_authority, school=school, status="handed_over")
        AllocationFactory(child=child, device=device, status="handed_over", handed_over_on=timezone.localdate())
    before = assert_equal_to_direct(monkeypatch)
    run(moved_file(tmp_path, header, rows, other), "--accept-la-changes")
    after = assert_equal_to_direct(monkeypatch)
    moved_to = School.objects.get(pk=school.pk).local_authority_id
    assert {s.key: s.children_need_device for s in after["la_shortfall"]}[moved_to] >= 3
    assert before != after


def test_the_data_date_rolls_past_plans_ending_and_starting(world, monkeypatch):
    today = timezone.localdate()
    assert_equal_to_direct(monkeypatch)
    # Tomorrow: the plans ending today lapse and the ones starting tomorrow begin.
    tomorrow = today + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert summaries.data_date() == today
    stale = figures.la_shortfall(None, tomorrow)  # not the data date: the direct query answers
    assert summaries.roll_data_date() > 0
    assert summaries.data_date() == tomorrow
    assert figures.la_shortfall(None, tomorrow) == stale
    assert_equal_to_direct(monkeypatch)
    assert summaries.roll_data_date() == 0  # idempotent


def test_compaction_and_rebuild_keep_the_figures(world, monkeypatch, capsys):
    Device.objects.filter(status="in_stock").update(status="allocated")
    Device.objects.filter(status="allocated").update(status="in_stock")
    before = assert_equal_to_direct(monkeypatch)
    rows = DeviceCount.objects.count()
    assert summaries.compact() > 0
    assert DeviceCount.objects.count() < rows
    assert assert_equal_to_direct(monkeypatch) == before
    # A summary row corrupted by hand is found and put right.
    DeviceCount.objects.create(local_authority_id=world["la"].pk, kind="laptop", status="in_stock", n=7)
    call_command("rebuild_summaries")
    assert "1 keys corrected" in capsys.readouterr().out
    call_command("rebuild_summaries")
    assert "0 keys corrected" in capsys.readouterr().out
    call_command("rebuild_summaries", "--compact")
    assert assert_equal_to_direct(monkeypatch) == before


def test_the_daily_checks_and_the_scheduled_task_keep_them(world, monkeypatch):
    from reports.tasks import maintain_summaries

    out = io.StringIO()
    call_command("run_daily_checks", stdout=out)
    assert "Summary tables checked: 0 keys corrected" in out.getvalue()
    maintain_summaries.call()
    assert_equal_to_direct(monkeypatch)


def test_the_triggers_are_installed():
    if connection.vendor == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        installed = {row[0] for row in cursor.fetchall()}
    wanted = {name for names in summaries.trigger_names().values() for name in names}
    assert wanted <= installed, sorted(wanted - installed)


def test_after_the_synthetic_data_generator(monkeypatch):
    # COPY on PostgreSQL (executemany on SQLite), in batches, then compacted.
    call_command("generate_scale_data", devices=120, stdout=io.StringIO())
    result = assert_equal_to_direct(monkeypatch)
    assert sum(e.devices for e in result["cliff_edge"].values()) > 0
    assert sum(s.children_need_device for s in result["la_shortfall"]) > 0
    assert HorizonCount.objects.count() == HorizonCount.objects.values(
        "local_authority_id", "start_month", "licence_month", "licence_default", "data_month", "needs_data"
    ).distinct().count()  # folded: one row per key


def test_on_sqlite_migrate_takes_the_triggers_off_and_puts_them_back(world, monkeypatch):
    """Another app's migration that rebuilds a table on SQLite need not know these triggers."""
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL keeps triggers across ALTER TABLE")
    from django.apps import apps as django_apps

    config = django_apps.get_app_config("reports")
    summaries.before_migrate(config)
    assert summaries.missing_triggers()
    # A write while they are off (as a migration might make) is caught up afterwards.
    Device.objects.filter(status="in_stock").update(status="lost")
    summaries.after_migrate(config)
    assert not summaries.missing_triggers()
    assert_equal_to_direct(monkeypatch)
