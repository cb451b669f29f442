"""``python manage.py generate_scale_data --devices N``: synthetic data for the benchmarks.

Builds the 33 London boroughs (real DfE and GSS codes; above London scale, extra synthetic
authorities so the national set has about 150), their schools, ``N`` devices (two thirds
laptops and tablets, one third 4G routers), a SIM and DfE data plan for every router (a second,
council-paid plan for about half), twelve months of monthly usage per SIM and daily readings for
the current month on one SIM in twenty, licences for most devices, and children with
allocations for devices that were handed over.

Rows are written in batches with PostgreSQL ``COPY`` (``executemany`` on SQLite) with ids
assigned here, so two million devices take minutes, not hours. Synthetic serials start with
``SYN``; running again adds devices only up to ``N`` in total.
"""

import datetime
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import LocalAuthority, School
from devices.horizon import add_months
from connectivity.models import DataPlan, NetworkOperator, Sim, UsageReading
from devices.models import Device, Licence

LONDON = [
    ("201", "E09000001", "City of London"), ("202", "E09000007", "Camden"), ("203", "E09000011", "Greenwich"),
    ("204", "E09000012", "Hackney"), ("205", "E09000013", "Hammersmith and Fulham"), ("206", "E09000019", "Islington"),
    ("207", "E09000020", "Kensington and Chelsea"), ("208", "E09000022", "Lambeth"), ("209", "E09000023", "Lewisham"),
    ("210", "E09000028", "Southwark"), ("211", "E09000030", "Tower Hamlets"), ("212", "E09000032", "Wandsworth"),
    ("213", "E09000033", "Westminster"), ("301", "E09000002", "Barking and Dagenham"), ("302", "E09000003", "Barnet"),
    ("303", "E09000004", "Bexley"), ("304", "E09000005", "Brent"), ("305", "E09000006", "Bromley"),
    ("306", "E09000008", "Croydon"), ("307", "E09000009", "Ealing"), ("308", "E09000010", "Enfield"),
    ("309", "E09000014", "Haringey"), ("310", "E09000015", "Harrow"), ("311", "E09000016", "Havering"),
    ("312", "E09000017", "Hillingdon"), ("313", "E09000018", "Hounslow"), ("314", "E09000021", "Kingston upon Thames"),
    ("315", "E09000024", "Merton"), ("316", "E09000025", "Newham"), ("317", "E09000026", "Redbridge"),
    ("318", "E09000027", "Richmond upon Thames"), ("319", "E09000029", "Sutton"), ("320", "E09000031", "Waltham Forest"),
]
NETWORKS = [("EE", "ee"), ("Vodafone", "vodafone"), ("O2", "o2"), ("Three", "three")]
BATCH = 20_000
DEVICES_PER_SCHOOL = 150


def luhn_complete(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = ord(ch) - 48
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


def _constant_default(field, now):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if isinstance(field, (models.CharField, models.TextField)):
        return ""
    raise CommandError(f"{field.model.__name__}.{field.name} needs a value")


class Writer:
    """Inserts plain tuples fast: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, model, columns):
        self.model = model
        self.table = model._meta.db_table
        now = timezone.now()
        fields = [f for f in model._meta.concrete_fields]
        given = set(columns)
        self.columns = list(columns)
        self.defaults = []
        for f in fields:
            if f.column not in given and not isinstance(f, models.AutoField):
                self.columns.append(f.column)
                value = _constant_default(f, now)
                self.defaults.append(f.get_db_prep_save(value, connection) if connection.vendor != "postgresql" else value)
        self.defaults = tuple(self.defaults)
        self.count = 0

    def next_id(self):
        return (self.model.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1

    def write(self, rows):
        rows = [tuple(r) + self.defaults for r in rows]
        if not rows:
            return
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {self.table} ({cols}) VALUES ({marks})", rows)
        self.count += len(rows)


def reset_sequences(*model_classes):
    sql = connection.ops.sequence_reset_sql(no_style(), model_classes)
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


class Command(BaseCommand):
    help = "Generate synthetic LAs, schools, devices, SIMs, plans, usage and licences for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--devices", type=int, required=True, help="Total synthetic devices wanted.")
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--no-allocations", action="store_true", help="Skip children and allocations.")

    def handle(self, *args, **options):
        wanted = options["devices"]
        if wanted < 1:
            raise CommandError("--devices must be at least 1")
        started = time.perf_counter()
        rng = random.Random(options["seed"])
        today = timezone.localdate()
        las = self.authorities(wanted)
        schools = self.schools(las, wanted)
        existing = Device.objects.filter(serial__startswith="SYN").count()
        to_add = wanted - existing
        if to_add <= 0:
            self.stdout.write(f"{existing} synthetic devices already present; nothing to add.")
            return
        networks = [NetworkOperator.objects.get_or_create(slug=slug, defaults={"name": name})[0].pk for name, slug in NETWORKS]
        counts = self.devices(rng, today, schools, networks, existing, to_add, not options["no_allocations"])
        reset_sequences(Device, Sim, DataPlan, UsageReading, Licence, *self.allocation_models())
        # The summary tables' triggers appended a delta per batch (reports/summaries.py): fold them.
        from reports.summaries import compact

        compact()
        if connection.vendor == "postgresql" and to_add >= 10_000:
            with connection.cursor() as cursor:
                for model in (Device, Sim, DataPlan, UsageReading, Licence, *self.allocation_models()):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Added {summary} in {elapsed:.1f} s."))

    def allocation_models(self):
        from allocations.models import Allocation, Child

        return (Child, Allocation)

    def authorities(self, wanted):
        rows = list(LONDON)
        if wanted > 500_000:
            rows += [(f"{800 + i:03d}", f"E06{900 + i:06d}", f"Synthetic authority {i + 1}") for i in range(117)]
        result = []
        for code, gss, name in rows:
            la, _created = LocalAuthority.objects.get_or_create(code=code, defaults={"gss_code": gss, "name": name})
            result.append(la.pk)
        return result

    def schools(self, las, wanted):
        per_la = max(2, wanted // DEVICES_PER_SCHOOL // len(las))
        existing = {}
        for school_id, la_id in School.objects.filter(urn__gte=900000, local_authority_id__in=las).values_list("id", "local_authority_id"):
            existing.setdefault(la_id, []).append(school_id)
        urn = (School.objects.aggregate(m=models.Max("urn"))["m"] or 0) + 1
        urn = max(urn, 900000)
        new = []
        for la_id in las:
            for i in range(len(existing.get(la_id, [])), per_la):
                new.append(School(urn=urn, name=f"Synthetic school {urn}", local_authority_id=la_id, phase="Secondary" if i % 3 == 0 else "Primary"))
                urn += 1
        School.objects.bulk_create(new, batch_size=5000)
        result = {}
        for school_id, la_id in School.objects.filter(urn__gte=900000, local_authority_id__in=las).values_list("id", "local_authority_id"):
            result.setdefault(la_id, []).append(school_id)
        return result

    def devices(self, rng, today, schools, networks, existing, to_add, with_allocations):
        device_w = Writer(Device, ["id", "kind", "make", "model", "serial", "imei", "local_authority_id", "school_id", "status", "ownership", "delivered_on", "handed_over_on"])
        sim_w = Writer(Sim, ["id", "iccid", "msisdn", "network_id", "device_id", "local_authority_id", "status"])
        plan_w = Writer(DataPlan, ["sim_id", "allowance_mb", "start", "end", "payer"])
        usage_w = Writer(UsageReading, ["sim_id", "period", "granularity", "mb_used", "source"])
        licence_w = Writer(Licence, ["device_id", "product", "start", "end", "payer", "annual_cost"])
        child_w = alloc_w = None
        if with_allocations:
            from allocations.models import Allocation, Child

            child_w = Writer(Child, ["id", "local_authority_id", "school_id", "reference", "year_group", "needs_laptop", "needs_connectivity"])
            alloc_w = Writer(Allocation, ["child_id", "device_id", "status", "planned_on", "handed_over_on"])
            child_id = child_w.next_id()
        device_id = device_w.next_id()
        sim_id = sim_w.next_id()
        la_ids = list(schools)
        this_month = today.replace(day=1)
        months = [add_months(this_month, -i) for i in range(12, 0, -1)]
        day_count = today.day - 1
        statuses = ["handed_over"] * 70 + ["ownership_transferred"] * 10 + ["in_stock"] * 10 + ["allocated"] * 4 + ["fault_reported", "in_repair", "lost", "stolen", "returned", "written_off"]
        first_delivery = add_months(this_month, -30)
        delivery_span = (today - first_delivery).days
        n = existing
        remaining = to_add
        while remaining > 0:
            size = min(BATCH, remaining)
            devices, sims, plans, usage, licences, children, allocations = [], [], [], [], [], [], []
            for _ in range(size):
                n += 1
                la_id = la_ids[n % len(la_ids)]
                school_id = rng.choice(schools[la_id])
                # Not n % 3: with 33 or 150 LAs (multiples of 3) that would put every router in a
                # third of the LAs.
                kind = ("router", "laptop", "tablet")[rng.randrange(3)]
                delivered = first_delivery + datetime.timedelta(days=rng.randrange(delivery_span))
                status = rng.choice(statuses)
                handed = None
                if status in ("handed_over", "ownership_transferred", "fault_reported", "in_repair", "lost", "stolen"):
                    handed = min(today, delivered + datetime.timedelta(days=rng.randrange(5, 60)))
                imei = luhn_complete(f"86{n:012d}") if kind == "router" else None
                make, model = ("Huawei", "E5576") if kind == "router" else (("Lenovo", "300e Chromebook") if kind == "laptop" else ("Apple", "iPad 9th gen"))
                devices.append((device_id, kind, make, model, f"SYN{n:09d}", imei, la_id, school_id, status,
                                "family" if status == "ownership_transferred" else "la", delivered, handed))
                # Licences: a quarter rely on the DfE default, the rest have one or two rows.
                lroll = rng.random()
                if lroll >= 0.25:
                    end = add_months(delivered, 12) - datetime.timedelta(days=1)
                    licences.append((device_id, "os_management", delivered, end, "dfe", None))
                    if lroll > 0.6:
                        licences.append((device_id, "security", end + datetime.timedelta(days=1), add_months(delivered, rng.choice((24, 36))) - datetime.timedelta(days=1), "la", 30))
                if kind == "router":
                    msisdn = f"+447{400000000 + n:09d}"
                    sims.append((sim_id, luhn_complete(f"894430{n:012d}"), msisdn, networks[n % len(networks)], device_id, la_id, "active"))
                    dfe_end = add_months(delivered, 6) - datetime.timedelta(days=1)
                    plans.append((sim_id, 3072, delivered, dfe_end, "dfe"))
                    if rng.random() < 0.5:
                        plans.append((sim_id, rng.choice((10240, 20480)), dfe_end + datetime.timedelta(days=1), add_months(delivered, 24) - datetime.timedelta(days=1), "la"))
                    heavy = rng.random()
                    for month in months:
                        if month >= delivered.replace(day=1):
                            used = round(rng.gauss(2600 if heavy > 0.3 else 1200, 900), 1)
                            usage.append((sim_id, month, "month", max(0.0, used), "synthetic"))
                    if n % 20 == 0:
                        daily = max(5.0, rng.gauss(110, 40))
                        for d in range(day_count):
                            usage.append((sim_id, this_month + datetime.timedelta(days=d), "day", round(daily * rng.uniform(0.5, 1.5), 1), "synthetic"))
                    sim_id += 1
                if child_w and handed:
                    children.append((child_id, la_id, school_id, f"SYN{n:09d}", str(rng.randrange(1, 14)), kind != "router", kind == "router" or rng.random() < 0.1))
                    alive = status not in ("lost", "stolen")
                    allocations.append((child_id, device_id, "handed_over" if alive else "returned", delivered, handed))
                    child_id += 1
                device_id += 1
            # One transaction per batch: PostgreSQL checks the (deferred) foreign keys at each
            # commit, so the work is spread out instead of one very long final COMMIT.
            with transaction.atomic():
                device_w.write(devices)
                sim_w.write(sims)
                plan_w.write(plans)
                usage_w.write(usage)
                licence_w.write(licences)
                if child_w:
                    child_w.write(children)
                    alloc_w.write(allocations)
            remaining -= size
            self.stdout.write(f"  {n - existing}/{to_add} devices", ending="\r")
            self.stdout.flush()
        self.stdout.write("")
        counts = {"devices": device_w.count, "SIMs": sim_w.count, "plans": plan_w.count, "usage readings": usage_w.count, "licences": licence_w.count}
        if child_w:
            counts.update({"children": child_w.count, "allocations": alloc_w.count})
        return counts
