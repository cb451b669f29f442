import factory
from django.utils import timezone

from accounts.tests.factories import LocalAuthorityFactory
from allocations.tests.factories import ChildFactory
from transfers.models import ChildTransfer


class ChildTransferFactory(factory.django.DjangoModelFactory):
    """A move waiting for the receiving council's answer (made directly, as a fixture: real
    proposals go through ``transfers.services.propose``)."""

    class Meta:
        model = ChildTransfer

    child = factory.SubFactory(ChildFactory)
    from_local_authority = factory.LazyAttribute(lambda o: o.child.local_authority)
    to_local_authority = factory.SubFactory(LocalAuthorityFactory)
    from_reference = factory.LazyAttribute(lambda o: o.child.reference)
    proposed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def parties(obj, create, extracted, **kwargs):
        if create:
            obj.local_authorities.set([obj.from_local_authority_id, obj.to_local_authority_id])
