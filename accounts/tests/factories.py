import factory

from accounts.models import LocalAuthority, School, User


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{300 + n % 600:03d}")
    gss_code = factory.Sequence(lambda n: f"E09{n:06d}")
    name = factory.Sequence(lambda n: f"Borough {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    urn = factory.Sequence(lambda n: 900000 + n)  # no real URN (GIAS issues 1xxxxx); clear of the demo and sample extracts (99xxxx)
    name = factory.Sequence(lambda n: f"School {n}")
    local_authority = factory.SubFactory(LocalAuthorityFactory)
    phase = "Primary"
    type = "Community school"
    status = School.Status.OPEN
    postcode = "NW1 1AA"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = "Test"
    role = "council_officer"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
