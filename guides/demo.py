"""Demo guides: the shipped content (also loaded by migration 0002) and a few anonymous
readings so the coverage page has figures. Safe to run twice."""

from guides import services
from guides.models import Guide, GuideReading, Helped

# (guide slug, language, helped, ticket raised)
READINGS = [
    ("router-set-up", "pl", Helped.YES, False),
    ("router-set-up", "ur", Helped.NO, True),
    ("huawei-e5576-set-up", "so", Helped.YES, False),
    ("charging", "bn", "", False),
    ("charging", "en", Helped.NO, True),
    ("cannot-sign-in", "ar", Helped.YES, False),
]


def seed(stdout, style):
    guides, texts = services.load_content()
    if not GuideReading.objects.exists():
        slugs = {g.slug: g for g in Guide.objects.filter(slug__in={r[0] for r in READINGS})}
        GuideReading.objects.bulk_create(
            GuideReading(guide=slugs[slug], language=lang, helped=helped, ticket_raised=raised)
            for slug, lang, helped, raised in READINGS if slug in slugs
        )
    stdout.write(style.SUCCESS(f"Guides: {Guide.objects.count()} guides ({guides} new, {texts} new texts)"))
