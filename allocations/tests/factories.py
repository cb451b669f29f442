import factory

from accounts.tests.factories import SchoolFactory
from allocations.models import Allocation, Child
from devices.tests.factories import DeviceFactory


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    school = factory.SubFactory(SchoolFactory)
    local_authority = factory.LazyAttribute(lambda o: o.school.local_authority)
    reference = factory.Sequence(lambda n: f"CH{n:06d}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    year_group = "7"
    preferred_language = "en"
    guardian_name = factory.Faker("name", locale="en_GB")
    guardian_phone = factory.Sequence(lambda n: f"+447700900{n % 1000:03d}")
    needs_laptop = True
    needs_connectivity = False


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    child = factory.SubFactory(ChildFactory)
    device = factory.SubFactory(DeviceFactory, local_authority=factory.SelfAttribute("..child.local_authority"), school=factory.SelfAttribute("..child.school"))


def handed_over(child=None, **device_kwargs):
    """A handed-over allocation of a new laptop (for handover, readiness and return tests)."""
    import datetime

    from devices.models import DeviceStatus

    allocation = AllocationFactory(
        **({"child": child} if child else {}), status="handed_over",
        planned_on=datetime.date.today() - datetime.timedelta(days=10),
        handed_over_on=datetime.date.today() - datetime.timedelta(days=5),
        device__status=DeviceStatus.HANDED_OVER, **{f"device__{k}": v for k, v in device_kwargs.items()},
    )
    return allocation


def complete_readiness(allocation, by):
    """Every item of the readiness list done, through the service (before transfer_ownership)."""
    from allocations import services
    from allocations.models import ReadinessItem

    return services.record_readiness(allocation=allocation, items=ReadinessItem.values, by=by)


class ReadinessCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "allocations.ReadinessCheck"

    allocation = factory.SubFactory(AllocationFactory, status="handed_over")
    item = "factory_reset"
    done_at = factory.LazyFunction(lambda: __import__("django.utils.timezone", fromlist=["now"]).now())


class HandoverAcceptanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "allocations.HandoverAcceptance"

    allocation = factory.SubFactory(AllocationFactory, status="handed_over")
    language = "en"
    guardian_name = factory.Faker("name", locale="en_GB")
    method = "typed"
    kit_items = factory.LazyFunction(lambda: ["device", "charger"])
    signed_at = factory.LazyFunction(lambda: __import__("django.utils.timezone", fromlist=["now"]).now())
    pdf = b"%PDF-1.4 test"
