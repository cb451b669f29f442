"""The support queue's bulk actions (``core.bulk``): assign and change status, each ticket
through the single-ticket service (``services.reassign_ticket``, ``services.change_status``),
all in one transaction, a refused ticket rolled back alone and reported with the service's
message."""

from django.utils.translation import gettext, gettext_lazy as _

from core.bulk import BulkAction, BulkActionView, each
from support import services
from support.filters import TicketFilterSet
from support.forms import AssignForm, StatusForm
from support.models import Ticket

AGENT_ROLES = ("support_agent", "admin")


def queue_rows(queryset, params):
    """The queue shows open work unless a status is filtered on (the page and its bulk actions)."""
    return queryset if params.getlist("status") else queryset.open()


class BulkStatusForm(StatusForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)


def _set_status(*, rows, by, data):
    status = data["status"]
    return each(rows, lambda ticket: False if ticket.status == status else services.change_status(ticket=ticket, status=status, by=by))


def _status_preview(rows, data):
    if not data:
        return []
    return [(gettext("Already in that status."), rows.filter(status=data["status"]).count())]


def _assign(*, rows, by, data):
    return each(rows, lambda ticket: services.reassign_ticket(ticket=ticket, agent=data["assignee"], by=by))


TICKET_ACTIONS = [
    BulkAction("assign", _("Assign"), roles=AGENT_ROLES, form_class=AssignForm, run=_assign),
    BulkAction("status", _("Change status"), roles=AGENT_ROLES, form_class=BulkStatusForm, run=_set_status, preview=_status_preview),
]


class TicketBulkView(BulkActionView):
    """Check (GET) and do (POST) a bulk action on tickets chosen on the support queue."""

    model = Ticket
    filterset_class = TicketFilterSet
    actions = TICKET_ACTIONS
    allowed_roles = AGENT_ROLES
    list_url_name = "support:queue"
    noun = _("tickets")

    def get_queryset(self, form):
        return queue_rows(Ticket.objects.visible_to(self.request.user), form.filter_data())

    def row_label(self, row):
        return f"{row.reference} ({row.get_status_display()})"
