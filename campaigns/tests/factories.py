import factory
from django.utils import timezone

from accounts.tests.factories import LocalAuthorityFactory
from campaigns.models import Campaign, CampaignDevice, CampaignEvent
from devices.tests.factories import DeviceFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    kind = Campaign.Kind.RECALL
    title = factory.Sequence(lambda n: f"Recall campaign {n:04d}")
    instructions = "Bring the laptop and its charger to school on Monday."
    criteria = factory.LazyAttribute(lambda o: {"model": "100e Chromebook"})


class CampaignDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignDevice

    device = factory.SubFactory(DeviceFactory)
    campaign = factory.SubFactory(CampaignFactory, local_authority=factory.SelfAttribute("..device.local_authority"))


class CampaignEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignEvent

    item = factory.SubFactory(CampaignDeviceFactory)
    to_status = "to_do"
    at = factory.LazyFunction(timezone.now)
