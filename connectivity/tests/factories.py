import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import LocalAuthorityFactory
from connectivity.models import DataPlan, NetworkOperator, NetworkRequest, Sim, UsageReading
from devices.tests.factories import luhn_complete
from allocations.tests.factories import ChildFactory
from connectivity.models import ConnectionPlan, DataVoucher


class NetworkOperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkOperator
        django_get_or_create = ("slug",)

    name = "EE"
    slug = "ee"


class SimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sim

    iccid = factory.Sequence(lambda n: luhn_complete(f"894410{n:012d}"))
    msisdn = factory.Sequence(lambda n: f"+447700900{n % 1000:03d}")
    network = factory.SubFactory(NetworkOperatorFactory)
    local_authority = factory.SubFactory(LocalAuthorityFactory)


class DataPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataPlan

    sim = factory.SubFactory(SimFactory)
    allowance_mb = 3072
    start = datetime.date(2026, 1, 15)
    end = datetime.date(2026, 7, 14)


class UsageReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageReading

    sim = factory.SubFactory(SimFactory)
    period = datetime.date(2026, 2, 1)
    mb_used = 1024.0


class NetworkRequestFactory(factory.django.DjangoModelFactory):
    """A suspension request for a new SIM (its LA and network follow from the SIM). With a
    ``school``, the SIM is in a device at that school, as ``services.raise_request`` makes it (so
    the school sees the SIM the request names)."""

    class Meta:
        model = NetworkRequest

    kind = NetworkRequest.Kind.SUSPEND
    local_authority = factory.SubFactory(LocalAuthorityFactory)
    school = None
    sim = factory.SubFactory(
        SimFactory, local_authority=factory.SelfAttribute("..local_authority"),
        device=factory.Maybe(
            factory.SelfAttribute("..school"),
            yes_declaration=factory.SubFactory(
                "devices.tests.factories.DeviceFactory",
                local_authority=factory.SelfAttribute("...local_authority"), school=factory.SelfAttribute("...school"),
            ),
            no_declaration=None,
        ),
    )
    network = factory.SelfAttribute("sim.network")
    msisdn = factory.SelfAttribute("sim.msisdn")
    reason = "Reported stolen"
    changed_at = factory.LazyFunction(timezone.now)


# --- connection plans


class DataVoucherFactory(factory.django.DjangoModelFactory):
    """A National Databank voucher in an LA's stock, not given out."""

    class Meta:
        model = DataVoucher

    code = factory.Sequence(lambda n: f"NDB-{n:08d}")
    provider = "National Databank"
    kind = DataVoucher.Kind.VOUCHER
    data_mb = 20 * 1024
    expires = datetime.date(2030, 12, 31)
    local_authority = factory.SubFactory(LocalAuthorityFactory)


class ConnectionPlanFactory(factory.django.DjangoModelFactory):
    """A current follow-on council plan for a child who needs connectivity."""

    class Meta:
        model = ConnectionPlan

    child = factory.SubFactory(ChildFactory, needs_connectivity=True)
    kind = ConnectionPlan.Kind.COUNCIL_PLAN
    provider = "EE"
    monthly_cost = "10.00"
    is_current = True
    chosen_at = factory.LazyFunction(timezone.now)


# --- idle SIMs and check-ins


class CheckInFactory(factory.django.DjangoModelFactory):
    """An unanswered check-in about a handed-over router's SIM (token: ``token-<n>``)."""

    class Meta:
        model = "connectivity.CheckIn"

    class Params:
        token = factory.Sequence(lambda n: f"token-{n}")

    school = factory.SubFactory("accounts.tests.factories.SchoolFactory")
    local_authority = factory.LazyAttribute(lambda o: o.school.local_authority)
    allocation = factory.SubFactory(
        "allocations.tests.factories.AllocationFactory",
        child__school=factory.SelfAttribute("...school"),
        status="handed_over", handed_over_on=datetime.date(2026, 9, 1),
    )
    child = factory.SelfAttribute("allocation.child")
    device = factory.SelfAttribute("allocation.device")
    sim = factory.LazyAttribute(lambda o: SimFactory(device=o.device, local_authority=o.local_authority))
    period = datetime.date(2026, 11, 1)
    language = factory.SelfAttribute("child.preferred_language")
    phone = factory.SelfAttribute("child.guardian_phone")
    token_hash = factory.LazyAttribute(lambda o: __import__("connectivity.checkins", fromlist=["hash_token"]).hash_token(o.token))
    sent_at = factory.LazyFunction(timezone.now)
    follow_up_at = factory.LazyAttribute(lambda o: (o.sent_at + datetime.timedelta(days=14)).date())
