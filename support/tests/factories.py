import factory

from support.models import AgentLanguage, AgentProfile, CannedResponse, CannedResponseText, Category, Source, Ticket, hash_token
from support.services import new_reference

DEFAULT_TOKEN = "test-token-0123456789-abcdefghijklmnop"


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket; its family link token is ``DEFAULT_TOKEN`` unless ``token=`` is given."""

    class Meta:
        model = Ticket
        exclude = ("token",)

    token = DEFAULT_TOKEN
    reference = factory.LazyFunction(new_reference)
    access_token_hash = factory.LazyAttribute(lambda o: hash_token(o.token))
    source = Source.FAMILY
    school = None
    local_authority = factory.LazyAttribute(lambda o: o.school.local_authority if o.school else None)
    requester_name = "Test Parent"
    requester_email = "parent@example.org"
    category = Category.HARDWARE
    description = "The laptop will not turn on."
    language = "en"


class CannedResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CannedResponse

    title = factory.Sequence(lambda n: f"Canned {n}")

    @factory.post_generation
    def texts(obj, create, extracted, **kwargs):
        for language, body in (extracted or {"en": "Please restart the router."}).items():
            CannedResponseText.objects.create(canned_response=obj, language=language, body=body)


def give_languages(user, *codes):
    profile, _ = AgentProfile.objects.get_or_create(user=user)
    for code in codes:
        AgentLanguage.objects.get_or_create(profile=profile, language=code)
    return profile
