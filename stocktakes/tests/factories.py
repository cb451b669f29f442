import factory
from django.utils import timezone

from accounts.tests.factories import LocalAuthorityFactory
from stocktakes.models import Stocktake, StocktakeItem


class StocktakeFactory(factory.django.DjangoModelFactory):
    """An open stocktake (of a school when given one, else of the LA's store room)."""

    class Meta:
        model = Stocktake

    local_authority = factory.LazyAttribute(lambda o: o.school.local_authority if o.school else LocalAuthorityFactory())
    school = None
    started_at = factory.LazyFunction(timezone.now)


class StocktakeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StocktakeItem

    stocktake = factory.SubFactory(StocktakeFactory)
    code = factory.Sequence(lambda n: f"STK{n:08d}")
    description = "Laptop Lenovo 100e Chromebook"
    expected = True
