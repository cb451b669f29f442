import io

import pytest
from django.core.management.color import no_style
from django.urls import reverse

from accounts import demo as accounts_demo
from devices import demo
from connectivity.models import DataPlan, Sim, UsageReading
from devices.models import Alert, Device, DeviceEvent, DeviceStatus, Licence
from connectivity.tests.factories import DataPlanFactory, SimFactory, UsageReadingFactory
from devices.tests.factories import DeviceFactory, LicenceFactory
from devices.validators import normalise_iccid, normalise_imei, normalise_uk_mobile


@pytest.mark.django_db
def test_demo_seed_is_idempotent_and_valid():
    out = io.StringIO()
    accounts_demo.seed(out, no_style())
    demo.seed(out, no_style())
    counts = [m.objects.count() for m in (Device, Sim, DataPlan, Licence, UsageReading, DeviceEvent, Alert)]
    demo.seed(out, no_style())
    assert [m.objects.count() for m in (Device, Sim, DataPlan, Licence, UsageReading, DeviceEvent, Alert)] == counts
    assert set(Device.objects.values_list("local_authority__code", flat=True)) == {"202", "204"}
    assert Device.objects.filter(kind="laptop").count() == 60 and Device.objects.filter(kind="router").count() == 30
    for sim in Sim.objects.all():
        assert normalise_iccid(sim.iccid) == sim.iccid
        assert normalise_uk_mobile(sim.msisdn) == sim.msisdn
    for imei in Device.objects.exclude(imei=None).values_list("imei", flat=True):
        assert normalise_imei(imei) == imei
    statuses = set(Device.objects.values_list("status", flat=True))
    assert {DeviceStatus.IN_STOCK, DeviceStatus.LOST, DeviceStatus.STOLEN, DeviceStatus.IN_REPAIR} <= statuses
    assert UsageReading.objects.filter(mb_used__gte=3072).exists()
    assert Alert.objects.filter(kind=Alert.Kind.LOST_STOLEN).exists()
    assert Sim.objects.filter(status=Sim.Status.SUSPENSION_REQUESTED).exists()


@pytest.mark.django_db
def test_admin_pages_load(client, users, la):
    device = DeviceFactory(local_authority=la)
    sim = SimFactory(local_authority=la, device=device)
    DataPlanFactory(sim=sim)
    UsageReadingFactory(sim=sim)
    LicenceFactory(device=device)
    client.force_login(users["admin"])
    for model in ("devices_deliverybatch", "devices_device", "devices_licence", "devices_deviceevent", "devices_alert",
                  "connectivity_networkoperator", "connectivity_sim", "connectivity_dataplan", "connectivity_usagereading",
                  "connectivity_networkrequest", "connectivity_networkrequestevent"):
        assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200, model
    assert client.get(reverse("admin:devices_device_change", args=[device.pk])).status_code == 200
    assert client.get(reverse("admin:devices_device_history", args=[device.pk])).status_code == 200
