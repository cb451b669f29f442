"""The ticket queue table."""

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.tables import DateTimeColumn
from support.models import Ticket, language_name


class TicketTable(tables.Table):
    reference = tables.Column(verbose_name=_("Reference"))
    created_at = DateTimeColumn(format="d/m/Y H:i", verbose_name=_("Raised"))
    category = tables.Column(verbose_name=_("Category"))
    priority = tables.Column(verbose_name=_("Priority"), order_by=("priority_rank",))
    status = tables.Column(verbose_name=_("Status"))
    language = tables.Column(verbose_name=_("Language"))
    flags = tables.Column(empty_values=(), orderable=False, verbose_name=_("Needs"), exclude_from_export=True)
    school = tables.Column(verbose_name=_("School"), accessor="school__name", default="—")
    assignee = tables.Column(verbose_name=_("Assigned to"), default="—")
    sla_due = DateTimeColumn(format="d/m/Y H:i", verbose_name=_("Due"), accessor="sla_due", order_by=("sla_due",))
    resolution_due = DateTimeColumn(format="d/m/Y H:i", verbose_name=_("Resolution due"))

    optional_columns = ("created_at", "resolution_due")

    class Meta:
        model = Ticket
        fields = ("reference", "sla_due", "created_at", "category", "priority", "status", "language", "flags", "school",
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
        code = record.language
        if not record.language_confirmed:
            return format_html('<span lang="{}">{}</span> <span class="govuk-body-s">({})</span>', code, language_name(code), _("detected"))
        return format_html('<span lang="{}">{}</span>', code, language_name(code))

    def render_assignee(self, record, value):
        return value.get_full_name() or value.username

    def render_flags(self, record):
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
            return "—"
        return format_html_join(" ", '<strong class="govuk-tag {}">{}</strong>', tags)
