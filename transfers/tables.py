"""The transfers list (django-tables2, rendered with ``{% page_table table %}``)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.tables import DateTimeColumn
from transfers.models import ChildTransfer

LINK = {"a": {"class": "govuk-link"}}


class ChildTransferTable(tables.Table):
    from_reference = tables.Column(
        verbose_name=_("Sending council's reference"), linkify=lambda record: record.get_absolute_url(), attrs=LINK,
    )
    from_local_authority = tables.Column(verbose_name=_("From"), accessor="from_local_authority__name")
    to_local_authority = tables.Column(verbose_name=_("To"), accessor="to_local_authority__name")
    status = tables.Column(verbose_name=_("Status"))
    proposed_at = DateTimeColumn(verbose_name=_("Proposed"))
    decided_at = DateTimeColumn(verbose_name=_("Decided"))

    class Meta:
        model = ChildTransfer
        fields = ("from_reference", "from_local_authority", "to_local_authority", "status", "proposed_at", "decided_at")
        order_by = ("-proposed_at",)
