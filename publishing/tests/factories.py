import datetime

import factory

from publishing.models import Publication


class PublicationFactory(factory.django.DjangoModelFactory):
    """A publication record as the service leaves it (files given, not built)."""

    class Meta:
        model = Publication

    period = datetime.date(2026, 11, 1)
    as_at = datetime.date(2026, 11, 1)
    status = Publication.Status.PUBLISHED
    driver = "outbox"
    csv_text = "la_code,la_name\r\n"
    schema_json = "{}"
    metadata_json = "{}"
    csv_sha256 = factory.LazyAttribute(lambda o: __import__("hashlib").sha256(o.csv_text.encode()).hexdigest())
    schema_sha256 = factory.LazyAttribute(lambda o: __import__("hashlib").sha256(o.schema_json.encode()).hexdigest())
    provider_answer = "outbox: 2 files kept on this record; nothing sent"
