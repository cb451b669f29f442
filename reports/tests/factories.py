import datetime

import factory

from accounts.tests.factories import SchoolFactory
from reports.models import NeedEstimate


class NeedEstimateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NeedEstimate

    school = factory.SubFactory(SchoolFactory)
    kind = "laptop"
    count = 10
    estimated_on = datetime.date(2026, 3, 1)
