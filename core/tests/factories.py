import hashlib

import factory

from accounts.tests.factories import LocalAuthorityFactory
from core.models import ImportJob


class ImportJobFactory(factory.django.DjangoModelFactory):
    """An allocations upload that has been checked and has one row error."""

    class Meta:
        model = ImportJob

    kind = ImportJob.Kind.ALLOCATIONS
    local_authority = factory.SubFactory(LocalAuthorityFactory)
    file = factory.django.FileField(filename="allocations.csv", data=b"reference,first name\r\nCH1,Ada\r\n")
    file_name = factory.Sequence(lambda n: f"allocations-{n:04d}.csv")
    file_sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.file_name.encode()).hexdigest())
    status = ImportJob.Status.INVALID
    total_rows = 1
    error_count = 1
    errors = factory.LazyFunction(lambda: [{"row": 2, "column": "year group", "message": "is blank"}])
