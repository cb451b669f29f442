"""Demo devices for Camden (202) and Hackney (204): a delivery each, laptops and 4G routers with
SIMs, DfE data plans and licences (some extended by the council), six months of usage, and
devices at several points of their lifecycle. Safe to run twice: rows are found by serial,
ICCID and dates before anything is created; lifecycle moves run only for new devices.

Most devices are left *delivered* or *in stock* so the allocations demo can allocate them.
"""

import datetime
import random

from django.utils import timezone

from accounts.models import LocalAuthority, School, User
from devices import services
from devices.horizon import add_months
from devices.validators import luhn_ok
from connectivity.models import DataPlan, NetworkOperator, Sim, UsageReading
from devices.models import DeliveryBatch, Device, DeviceEvent, DeviceKind, Licence

NETWORKS = [("EE", "ee"), ("Vodafone", "vodafone"), ("O2", "o2"), ("Three", "three")]
LAS = {"202": ("officer", 100), "204": ("officer.hackney", 200)}  # LA code: (officer, MSISDN block)
LAPTOPS, ROUTERS = 30, 15
MAKES = [("Lenovo", "100e Chromebook Gen 3"), ("HP", "ProBook x360 11 G7"), ("Dell", "Latitude 3190")]

# Lifecycle moves for some devices, by index: a list of helper names applied in order.
LAPTOP_STORIES = {
    **{i: ["mark_in_stock"] for i in range(0, 20)},
    20: ["mark_in_stock", "report_fault"],
    21: ["mark_in_stock", "report_fault"],
    22: ["mark_in_stock", "report_fault", "send_for_repair"],
    23: ["mark_in_stock", "mark_lost"],
    24: ["mark_in_stock", "mark_stolen"],
    25: ["mark_in_stock", "report_fault", "write_off"],
}
ROUTER_STORIES = {
    **{i: ["mark_in_stock"] for i in range(0, 10)},
    10: ["mark_in_stock", "mark_lost"],
    11: ["mark_in_stock", "report_fault"],
}
NOTES = {
    "mark_in_stock": "Checked in against the delivery note.",
    "report_fault": "Will not charge.",
    "send_for_repair": "Sent to the supplier's repair centre.",
    "mark_lost": "Reported lost by the school.",
    "mark_stolen": "Stolen from the family's car; crime reference 01/123456/26.",
    "write_off": "Water damage: beyond economic repair.",
}


def luhn_complete(body):
    """``body`` with its Luhn check digit appended (valid demo IMEIs and ICCIDs)."""
    for check in "0123456789":
        if luhn_ok(body + check):
            return body + check
    raise ValueError(body)


def _delivery_date(today):
    """The first of the month five months ago: the DfE six months end at the end of this month."""
    return add_months(today.replace(day=1), -5)


def _moment(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def seed(stdout, style):
    today = timezone.localdate()
    delivered = _delivery_date(today)
    dfe_end = add_months(delivered, 6) - datetime.timedelta(days=1)
    networks = [NetworkOperator.objects.get_or_create(slug=slug, defaults={"name": name})[0] for name, slug in NETWORKS]
    created_total = 0
    for code, (officer_name, msisdn_block) in LAS.items():
        la = LocalAuthority.objects.filter(code=code).first()
        if la is None:
            continue
        officer = User.objects.filter(username=officer_name).first()
        schools = list(School.objects.filter(local_authority=la).open().order_by("urn"))
        batch, _ = DeliveryBatch.objects.get_or_create(
            local_authority=la, order_reference=f"DFE-{code}-{delivered:%Y%m}",
            defaults={"supplier": "Computacenter", "delivered_on": delivered, "created_by": officer},
        )
        rng = random.Random(int(code))
        for i in range(LAPTOPS + ROUTERS):
            is_router = i >= LAPTOPS
            n = i - LAPTOPS if is_router else i
            serial = f"DEMO{code}{'R' if is_router else 'L'}{n:03d}"
            if Device.objects.filter(serial=serial).exists():
                continue
            make, model = ("Huawei", "E5576") if is_router else MAKES[n % len(MAKES)]
            device = Device.objects.create(
                kind=DeviceKind.ROUTER if is_router else DeviceKind.LAPTOP,
                make=make, model=model, serial=serial,
                imei=luhn_complete(f"35{code}{int(is_router)}{n:08d}") if is_router else None,
                asset_tag=f"{la.name[:3].upper()}-{'R' if is_router else 'L'}{n:04d}",
                local_authority=la,
                school=schools[n % len(schools)] if schools and n % 3 != 2 else None,
                batch=batch, delivered_on=delivered, warranty_end=add_months(delivered, 36),
            )
            created_total += 1
            DeviceEvent.objects.create(
                device=device, kind=DeviceEvent.Kind.DELIVERED, to_status=device.status, actor=officer,
                at=_moment(delivered, 9), note=f"Delivery {batch.order_reference}",
            )
            Licence.objects.get_or_create(
                device=device, product=Licence.Product.OS_MANAGEMENT, start=delivered,
                defaults={"end": dfe_end, "payer": Licence.Payer.DFE},
            )
            if n % 3 == 0:  # the council has paid to extend cover to three years
                Licence.objects.get_or_create(
                    device=device, product=Licence.Product.OS_MANAGEMENT, start=dfe_end + datetime.timedelta(days=1),
                    defaults={"end": add_months(delivered, 36) - datetime.timedelta(days=1), "payer": Licence.Payer.LA,
                              "annual_cost": "24.00"},
                )
            if is_router:
                _seed_sim(device=device, la=la, n=n, block=msisdn_block, network=networks[n % len(networks)],
                          delivered=delivered, dfe_end=dfe_end, today=today, rng=rng)
            stories = ROUTER_STORIES if is_router else LAPTOP_STORIES
            for step, helper in enumerate(stories.get(n, [])):
                at = _moment(delivered + datetime.timedelta(days=3 + 20 * step + n % 7))
                getattr(services, helper)(device=device, by=officer, note=NOTES[helper], at=at)
    stdout.write(f"  devices: {created_total} created ({Device.objects.filter(serial__startswith='DEMO').count()} demo devices in all)")


def _seed_sim(*, device, la, n, block, network, delivered, dfe_end, today, rng):
    iccid = luhn_complete(f"8944{la.code}{n:012d}")
    sim, _ = Sim.objects.get_or_create(
        iccid=iccid,
        defaults={"msisdn": f"+447700900{block + n:03d}", "network": network, "device": device, "local_authority": la},
    )
    DataPlan.objects.get_or_create(sim=sim, start=delivered, defaults={"end": dfe_end, "allowance_mb": 3072, "payer": "dfe"})
    if n % 4 == 0:  # a larger allowance paid by the council after the DfE six months
        DataPlan.objects.get_or_create(
            sim=sim, start=dfe_end + datetime.timedelta(days=1),
            defaults={"end": add_months(delivered, 30) - datetime.timedelta(days=1), "allowance_mb": 20480,
                      "payer": "la", "monthly_cost": "10.00"},
        )
    month = delivered
    while month <= today:
        heavy = n % 5 == 0
        used = rng.uniform(2600, 3600) if heavy else rng.uniform(300, 2400)
        UsageReading.objects.update_or_create(
            sim=sim, period=month, granularity=UsageReading.Granularity.MONTH,
            defaults={"mb_used": round(used, 1), "source": "demo"},
        )
        month = add_months(month, 1)
