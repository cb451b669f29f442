import datetime

import factory

from accounts.tests.factories import LocalAuthorityFactory
from devices.models import DeliveryBatch, Device, DeviceKind, Licence


def luhn_complete(body: str) -> str:
    """Append the Luhn check digit to ``body`` (for valid IMEIs and ICCIDs in tests)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


class DeliveryBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryBatch

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    supplier = "Computacenter"
    order_reference = factory.Sequence(lambda n: f"PO-{n:05d}")
    delivered_on = datetime.date(2026, 1, 15)


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    kind = DeviceKind.LAPTOP
    make = "Lenovo"
    model = "100e Chromebook"
    serial = factory.Sequence(lambda n: f"SN{n:08d}")
    imei = None
    local_authority = factory.SubFactory(LocalAuthorityFactory)
    delivered_on = datetime.date(2026, 1, 15)


class RouterFactory(DeviceFactory):
    kind = DeviceKind.ROUTER
    make = "Huawei"
    model = "E5576"
    imei = factory.Sequence(lambda n: luhn_complete(f"35{n:012d}"))


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licence

    device = factory.SubFactory(DeviceFactory)
    product = Licence.Product.OS_MANAGEMENT
    start = datetime.date(2026, 1, 15)
    end = datetime.date(2026, 7, 14)
    payer = Licence.Payer.DFE
