"""The outbox, the messages that did not arrive, and the messages families sent us."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.languages import language_markup
from core.tables import DateTimeColumn
from messaging.models import FAILED_STATUSES, InboundMessage, OutboundMessage, Status

STATUS_TAGS = {
    Status.DELIVERED: "govuk-tag--green", Status.SENT: "govuk-tag--blue", Status.QUEUED: "govuk-tag--grey",
    Status.SENDING: "govuk-tag--grey", Status.TEMPORARY_FAILURE: "govuk-tag--yellow",
}


def status_tag(status, label):
    css = "govuk-tag--red" if status in FAILED_STATUSES else STATUS_TAGS.get(status, "govuk-tag--grey")
    return format_html('<strong class="govuk-tag {}">{}</strong>', css, label)


class OutboundMessageTable(tables.Table):
    created_at = DateTimeColumn(format="d/m/Y H:i", verbose_name=_("Queued"), linkify=lambda record: record.get_absolute_url(),
                                attrs={"a": {"class": "govuk-link"}})
    channel = tables.Column(verbose_name=_("Channel"))
    recipient = tables.Column(verbose_name=_("To"), accessor="recipient")
    template = tables.Column(verbose_name=_("Message type"))
    language = tables.Column(verbose_name=_("Language"))
    status = tables.Column(verbose_name=_("Status"))
    ticket = tables.Column(verbose_name=_("Ticket"), linkify=True, attrs={"a": {"class": "govuk-link"}}, default="—")
    last_error = tables.Column(verbose_name=_("Why"), default="—")

    # Fits 1280 px: the message type, language and reason are extra columns.
    optional_columns = ("template", "language", "last_error")

    class Meta:
        model = OutboundMessage
        fields = ("created_at", "channel", "recipient", "status", "ticket", "template", "language", "last_error")
        order_by = ("-created_at",)

    def render_recipient(self, record):
        return record.recipient_display.splitlines()[0] if record.recipient else "—"

    def render_language(self, record):
        return language_markup(record.language)

    def render_status(self, record):
        return status_tag(record.status, record.get_status_display())


class FailedMessageTable(OutboundMessageTable):
    optional_columns = ("template", "language")

    class Meta(OutboundMessageTable.Meta):
        sequence = ("created_at", "ticket", "channel", "recipient", "status", "last_error", "template", "language")


class InboundMessageTable(tables.Table):
    received_at = DateTimeColumn(format="d/m/Y H:i", verbose_name=_("Received"))
    channel = tables.Column(verbose_name=_("Channel"))
    sender = tables.Column(verbose_name=_("From"))
    outcome = tables.Column(verbose_name=_("What happened"))
    ticket = tables.Column(verbose_name=_("Ticket"), linkify=True, attrs={"a": {"class": "govuk-link"}}, default="—")
    detail = tables.Column(verbose_name=_("Detail"), default="—")

    class Meta:
        model = InboundMessage
        fields = ("received_at", "channel", "sender", "outcome", "ticket", "detail")
        order_by = ("-received_at",)
