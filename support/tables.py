"""The ticket queue table."""

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.languages import language_markup
from core.tables import DateTimeColumn
from support.models import Ticket


class TicketTable(tables.Table):
    reference = tables.Column(verbose_name=_("Reference"))
    created_at = DateTimeColumn(format="d/m/Y H:i", verbose_name=_("Raised"))
    category = tables.Column(verbose_name=_("Category"))
    priority = tables.Column(verbose_name=_("Priority"), order_by=("priority_rank",))
    status = tables.Column(verbose_name=_("Status"))
    language = tables.Column(verbose_name=_("Language"))
    school = tables.Column(verbose_name=_("School"), accessor="school__name", default="—")
    assignee = tables.Column(verbose_name=_("Assigned to"), default="—")
    sla_due = DateTimeColumn(format="d/m/Y H:i", verbose_name=_("Due"), accessor="sla_due", order_by=("sla_due",))
    resolution_due = DateTimeColumn(format="d/m/Y H:i", verbose_name=_("Resolution due"))

    # Fits 1280 px beside the filters: what the ticket needs sits under its status, and the
    # school is an extra column (the "Extra columns" chooser, kept in the querystring).
    optional_columns = ("created_at", "school", "resolution_due")

    class Meta:
        model = Ticket
        fields = ("reference", "sla_due", "created_at", "category", "priority", "status", "language", "school",
                  "assignee", "resolution_due")

    def render_reference(self, record, value):
        # How it came in, under the reference: one column fewer, so the queue fits 1280 px.
        return format_html(
            '<a class="govuk-link" href="{}">{}</a><br><span class="govuk-body-s">{}</span>',
            record.get_absolute_url(), value, record.get_channel_display(),
        )

    def value_reference(self, record, value):
        return value

    def render_language(self, record):
        if not record.language_confirmed:
            return format_html('{} <span class="govuk-body-s">({})</span>', language_markup(record.language), _("detected"))
        return language_markup(record.language)

    def render_assignee(self, record, value):
        return value.get_full_name() or value.username

    def render_status(self, record, value):
        flags = self.flags(record)
        return format_html("{}<br>{}", value, flags) if flags else value

    def value_status(self, record, value):
        return value

    def flags(self, record):
        tags = []
        if getattr(record, "is_breached", False):
            tags.append(("govuk-tag--red", _("SLA breached")))
        if record.is_safeguarding:
            tags.append(("govuk-tag--purple", _("Safeguarding")))
        if record.needs_interpreter:
            tags.append(("govuk-tag--yellow", _("Interpreter")))
        if not getattr(record, "has_speaker", True):
            tags.append(("govuk-tag--orange", _("No speaker available")))
        if not tags:
            return ""
        return format_html_join(" ", '<strong class="govuk-tag {}">{}</strong>', tags)
