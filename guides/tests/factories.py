import factory

from guides.models import Guide, GuideReading, GuideText, Problem


class GuideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guide

    slug = factory.Sequence(lambda n: f"test-guide-{n}")
    problem = Problem.CHARGER
    device_kind = ""
    is_published = True


class GuideTextFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuideText

    guide = factory.SubFactory(GuideFactory)
    language = "en"
    title = factory.Sequence(lambda n: f"Test guide title {n}")
    summary = "A short summary."
    body = "First step.\nSecond step.\nThird step.\nFourth step."


class GuideReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuideReading

    guide = factory.SubFactory(GuideFactory)
    language = "en"
