"""A commit reuses a clean dry run's parsed rows only for the same file, sheet, mapping and LA,
and still checks every row against the database as it is at commit time."""

import datetime
import io

import pytest

from allocations.imports import SPEC
from allocations.models import Allocation, Child
from core.imports import engine, prepared, services
from core.imports.testing import upload, xlsx_bytes
from devices.tests.factories import DeviceFactory

HEADER = ["URN", "Child ref", "Forename", "Surname", "Year", "Laptop serial", "Phone", "Home language", "Date handed over"]


def rows(school):
    return [
        HEADER,
        [school.urn, "C-1", "Ana", "Nowak", "Y7", "LAP-1", "07700 900123", "polski", "02/03/2025"],
        [school.urn, "C-2", "Abdi", "Hassan", "R", None, "+44 20 7946 0001", "Somali", None],
        [school.urn, "C-3", "Sara", "Khan", "10", "LAP-2", "447700900125", "ur", None],
    ]


@pytest.fixture
def laptops(la):
    return [DeviceFactory(serial=f"LAP-{i}", local_authority=la, status="delivered", delivered_on="2025-01-10") for i in (1, 2)]


def dry_run(la, data, path, **kwargs):
    return engine.validate(SPEC, io.BytesIO(data), local_authority=la, filename="a.xlsx", prepared=path, **kwargs)


def commit(la, user, data, path, **kwargs):
    return engine.commit(SPEC, io.BytesIO(data), local_authority=la, user=user, filename="a.xlsx", prepared=path, **kwargs)


def snapshot():
    children = sorted(Child.objects.values_list("reference", "first_name", "year_group", "preferred_language", "guardian_phone", "school_id", "needs_connectivity"))
    history = sorted(Child.history.values_list("reference", "history_type", "history_user_id", "year_group", "preferred_language", "school_id"))
    allocations = sorted(Allocation.objects.values_list("child__reference", "device__serial", "status", "handed_over_on"))
    return children, history, allocations


def test_reused_commit_writes_what_a_fresh_commit_writes(la, school, officer, laptops, tmp_path, django_assert_max_num_queries):
    data = xlsx_bytes(rows(school))
    path = tmp_path / "a.prepared"
    ctx = dry_run(la, data, path)
    assert ctx.ok and path.exists()
    with django_assert_max_num_queries(60):
        done = commit(la, officer, data, path)
    assert done.reused and not path.exists()  # used once, then deleted (it is personal data)
    reused = snapshot()
    assert len(reused[1]) == 3 and all(h[1] == "+" and h[2] == officer.pk for h in reused[1])
    assert ("C-1", "LAP-1", "handed_over", datetime.date(2025, 3, 2)) in reused[2]
    Allocation.objects.all().delete()
    Child.objects.all().delete()
    Child.history.all().delete()
    for d in laptops:
        d.refresh_from_db()
        d.status, d.school = "delivered", None
        d.save()
    fresh = commit(la, officer, data, tmp_path / "none.prepared")
    assert not fresh.reused and fresh.counts == done.counts
    assert snapshot()[0] == reused[0] and snapshot()[2] == reused[2]
    assert [h[:1] + h[3:] for h in snapshot()[1]] == [h[:1] + h[3:] for h in reused[1]]


def test_database_changed_since_dry_run_is_found_at_commit(la, school, officer, laptops, other_la, tmp_path):
    data = xlsx_bytes(rows(school))
    path = tmp_path / "a.prepared"
    assert dry_run(la, data, path).ok
    # Since the dry run: a laptop was allocated to another child, and the school left the LA.
    other = Child.objects.create(local_authority=la, school=school, reference="OTHER")
    Allocation.objects.create(child=other, device=laptops[1], status="planned", planned_on="2025-02-01")
    with pytest.raises(engine.ImportRejected) as caught:
        commit(la, officer, data, path)
    ctx = caught.value.ctx
    assert ctx.reused
    assert ctx.error_lines() == ["row 4, Laptop serial: This device is already allocated to child OTHER."]
    assert not Child.objects.filter(reference__in=["C-1", "C-2", "C-3"]).exists()
    assert not path.exists()
    # A school moved to another LA: every row of it is an error again at commit time.
    path2 = tmp_path / "b.prepared"
    data2 = xlsx_bytes(rows(school)[:3])
    assert dry_run(la, data2, path2).ok
    school.local_authority = other_la
    school.save()
    with pytest.raises(engine.ImportRejected) as caught:
        commit(la, officer, data2, path2)
    assert caught.value.ctx.reused and [e["row"] for e in caught.value.ctx.errors] == [2, 3]


@pytest.mark.parametrize("change", ["file", "mapping", "sheet", "la", "tampered", "garbage"])
def test_kept_rows_not_used_when_anything_differs(change, la, school, officer, laptops, other_la, tmp_path):
    data = xlsx_bytes(rows(school))
    path = tmp_path / "a.prepared"
    assert dry_run(la, data, path).ok
    kwargs = {}
    if change == "file":
        changed = rows(school)
        changed[2][2] = "Abdirahman"
        data = xlsx_bytes(changed)
    elif change == "mapping":
        kwargs["mapping"] = {"school_urn": "URN", "reference": "Child ref", "first_name": "Surname"}
    elif change == "sheet":
        kwargs["sheet"] = "Sheet1"  # named, where the dry run took the first sheet
    elif change == "tampered":
        blob = bytearray(path.read_bytes())
        blob[-5] ^= 1
        path.write_bytes(bytes(blob))
    elif change == "garbage":
        path.write_bytes(b"not ours")
    target_la = other_la if change == "la" else la
    if change == "la":
        school.local_authority = other_la
        school.save()
        for d in laptops:
            d.local_authority = other_la
            d.save()
    try:
        ctx = commit(target_la, officer, data, path, **kwargs)
    except engine.ImportRejected as exc:
        ctx = exc.ctx
    assert not ctx.reused  # read and validated afresh
    assert not path.exists()
    if change == "file":
        assert Child.objects.get(reference="C-2").first_name == "Abdirahman"
    if change == "mapping":
        assert Child.objects.get(reference="C-1").first_name == "Nowak"


def test_dry_run_with_errors_keeps_nothing(la, school, tmp_path):
    path = tmp_path / "a.prepared"
    path.write_bytes(b"stale")
    bad = rows(school)
    bad[1][4] = "Year 99"
    ctx = dry_run(la, xlsx_bytes(bad), path)
    assert not ctx.ok and not path.exists()
    assert prepared.load(tmp_path / "missing") is None


def test_job_reuses_its_dry_run_and_discards_it(officer, school, laptops):
    job = services.start_import(user=officer, local_authority=officer.local_authority, kind="allocations", upload=upload(xlsx_bytes(rows(school)), "a.xlsx"))
    job = services.request_dry_run(job=job, user=officer)
    assert job.status == "valid"
    kept = services.prepared_path(job)
    assert prepared.load(kept) is not None
    # Changing the mapping resets the job and deletes what the dry run kept.
    services.save_mapping(job=job, user=officer, mapping=dict(job.mapping))
    assert prepared.load(kept) is None
    job = services.request_dry_run(job=job, user=officer)
    assert prepared.load(kept) is not None
    job = services.request_commit(job=job, user=officer)
    assert job.status == "done" and job.counts["children_create"] == 3
    assert prepared.load(kept) is None
    assert Child.history.filter(history_type="+", history_user=officer).count() == 3


@pytest.mark.parametrize(
    "values",
    [
        ["C-1", "C,2", "C'3", 'C"4', "Zoë {5}", "C\\6", "NULL"],
        ["C-1", "bad\x1fsep", ""],  # the separator, or an empty value: sent as an array instead
        [],
    ],
)
def test_any_of_lookup_finds_exactly_the_values(values, la, school):
    from core.imports.copy import Values

    wanted = [v for v in values if v]
    for ref in [*wanted, "OTHER"]:
        Child.objects.create(local_authority=la, school=school, reference=ref)
    assert sorted(Child.objects.filter(reference__any_of=Values(values)).values_list("reference", flat=True)) == sorted(wanted)
    ids = list(Child.objects.filter(reference__in=wanted).values_list("pk", flat=True))
    assert sorted(Child.objects.filter(pk__any_of=Values(ids)).values_list("pk", flat=True)) == sorted(ids)
    assert Child.objects.filter(school_id__any_of=[school.pk]).count() == len(wanted) + 1


def test_binary_copy_only_for_plain_column_types(db):
    from django.db import connection

    from core.imports.copy import _binary_types
    from core.models import ImportJob

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    assert _binary_types(list(Child._meta.concrete_fields), connection)
    assert _binary_types(list(ImportJob._meta.concrete_fields), connection) is None  # JSON columns: text COPY


def test_new_childrens_history_rows_hold_the_values_they_were_written_with(la, school, officer, laptops, tmp_path):
    data = xlsx_bytes(rows(school))
    path = tmp_path / "a.prepared"
    assert dry_run(la, data, path).ok
    commit(la, officer, data, path)
    history = Child.history.model
    tracked = [f.attname for f in history._meta.concrete_fields if not f.attname.startswith("history_")]
    assert {"reference", "school_id", "local_authority_id", "created_at", "updated_at", "eligibility", "needs_connectivity"} <= set(tracked)
    children = {c["id"]: c for c in Child.objects.values("id", *tracked)}
    made = list(history.objects.filter(history_type="+").values("history_user_id", "history_change_reason", "history_date", *tracked))
    assert len(made) == len(children) == 3
    for h in made:
        assert h["history_user_id"] == officer.pk and h["history_change_reason"] in (None, "")
        assert {k: h[k] for k in tracked} == children[h["id"]]
        assert abs(h["history_date"] - children[h["id"]]["created_at"]) < datetime.timedelta(minutes=1)
