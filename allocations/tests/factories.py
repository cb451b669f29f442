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
