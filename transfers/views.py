"""Pages for moves between councils: the list, a transfer's page, proposing (from the child's
page, with a check-your-answers step), accepting (with a confirmation page), declining and
withdrawing. Thin: each writing view calls one service; refusals are shown with their reason.

What each side sees is decided here and in the templates, from ``side``: before acceptance the
receiver sees the proposal (year group, eligibility, needs, the kinds of device, how many
tickets) and no name, contact or serial number; after acceptance the sender sees only the
record (``ChildTransfer``'s own fields)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from django.views.generic.detail import SingleObjectMixin

from allocations.models import Child
from core.views import ObjectDetailView, ObjectListView, RoleRequiredMixin, ScopedQuerysetMixin
from support.models import Ticket
from transfers import services
from transfers.filters import ChildTransferFilterSet
from transfers.forms import AcceptForm, DeclineForm, ProposeForm, WithdrawForm
from transfers.models import ChildTransfer
from transfers.tables import ChildTransferTable


def side_of(user, transfer):
    """``"sender"``, ``"receiver"`` or ``"admin"`` (who sees both sides)."""
    if user.is_superuser or user.role == "admin":
        return "admin"
    return "sender" if user.local_authority_id == transfer.from_local_authority_id else "receiver"


def proposal_summary(child):
    """What the receiver is shown before accepting: nothing that names or reaches the family,
    and no serial number of the sender's."""
    devices = services.movable_devices(child)
    return {
        "year_group": child.get_year_group_display(),
        "eligibility": child.get_eligibility_display(),
        "needs_laptop": child.needs_laptop,
        "needs_connectivity": child.needs_connectivity,
        "language": child.language_name,
        "has_school": child.school_id is not None,
        "devices": [
            {**services.describe(r["device"]), "owned_by_family": r["owned_by_family"], "has_sim": r["has_sim"], "can_stay": r["can_stay"]}
            for r in devices
        ],
        "open_tickets": Ticket.objects.filter(child=child).open().count(),
    }


class RefusalMixin:
    def refused(self, form, exc):
        """Show a ``TransferError`` on the form: a refusal keyed by field
        (``acceptance_problems``) on its fields, any other above the form."""
        form.add_error(None, exc)
        return self.form_invalid(form)


class TransferListView(ObjectListView):
    model = ChildTransfer
    table_class = ChildTransferTable
    filterset_class = ChildTransferFilterSet
    allowed_roles = services.READER_ROLES
    export_name = "moves-between-councils"
    title = gettext_lazy("Moves between councils")

    def get_queryset(self):
        return super().get_queryset().select_related("from_local_authority", "to_local_authority")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        return context


class TransferDetailView(ObjectDetailView):
    model = ChildTransfer
    allowed_roles = services.READER_ROLES

    def get_queryset(self):
        return super().get_queryset().select_related("from_local_authority", "to_local_authority", "proposed_by", "decided_by", "child")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        transfer, user = self.object, self.request.user
        side = side_of(user, transfer)
        child_visible = Child.objects.visible_to(user).filter(pk=transfer.child_id).exists()
        context.update(
            title=str(transfer),
            side=side,
            child_visible=child_visible,
            summary=proposal_summary(transfer.child) if transfer.is_waiting else None,
            can_decide=transfer.is_waiting and services.can_act_for(user, transfer.to_local_authority_id),
            can_withdraw=transfer.is_waiting and services.can_act_for(user, transfer.from_local_authority_id),
        )
        return context


class ProposeView(RefusalMixin, RoleRequiredMixin, FormView):
    """From the child's page: where to, whether lent devices stay, a note; then check your
    answers; only "Propose the move" calls ``services.propose``."""

    model = Child
    allowed_roles = services.ACTOR_ROLES
    form_class = ProposeForm
    template_name = "transfers/propose.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.child = get_object_or_404(self.model.objects.visible_to(request.user).select_related("local_authority", "school"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        self.devices = services.movable_devices(self.child)
        return {**super().get_form_kwargs(), "child": self.child, "can_stay": any(r["can_stay"] for r in self.devices)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            child=self.child, devices=self.devices, title=_("Move %(child)s to another council") % {"child": self.child},
            problems=services.child_problems(self.child),
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        problems = services.proposal_problems(child=self.child, to_local_authority=data["to_local_authority"])
        if problems:
            return self.refused(form, services.TransferError(problems))
        if not data.get("confirmed"):
            return self.render_to_response(self.get_context_data(form=form, checking=True))
        try:
            transfer = services.propose(
                child=self.child, to_local_authority=data["to_local_authority"], by=self.request.user, note=data.get("note", ""),
                lent_devices_stay=bool(data.get("lent_devices_stay")),
            )
        except services.TransferError as exc:
            return self.refused(form, exc)
        messages.success(self.request, _("Move proposed. %(council)s has been asked to accept it.") % {"council": transfer.to_local_authority.name})
        return redirect(transfer.get_absolute_url())


class TransferActionView(RefusalMixin, RoleRequiredMixin, ScopedQuerysetMixin, SingleObjectMixin, FormView):
    """A form about one waiting transfer, for the council that may take this step."""

    model = ChildTransfer
    allowed_roles = services.ACTOR_ROLES
    acting_side = "to_local_authority_id"

    def get_queryset(self):
        return super().get_queryset().select_related("from_local_authority", "to_local_authority", "child")

    def setup_object(self):
        self.object = self.get_object()
        if not services.can_act_for(self.request.user, getattr(self.object, self.acting_side)):
            raise PermissionDenied
        if not self.object.is_waiting:
            messages.error(self.request, _("This move has already been %(status)s.") % {"status": self.object.get_status_display().lower()})
            return redirect(self.object.get_absolute_url())
        return None

    def get(self, request, *args, **kwargs):
        return self.setup_object() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.setup_object() or super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = context["transfer"] = self.object
        context["title"] = str(self.object)
        return context


class AcceptView(TransferActionView):
    form_class = AcceptForm
    template_name = "transfers/accept.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "transfer": self.object, "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = proposal_summary(self.object.child)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        problems = services.acceptance_problems(transfer=self.object, reference=data["reference"], school=data.get("school"))
        if problems:
            return self.refused(form, services.TransferError(problems))
        if not data.get("confirmed"):
            return self.render_to_response(self.get_context_data(form=form, confirming=True))
        try:
            transfer = services.accept(transfer=self.object, by=self.request.user, reference=data["reference"], school=data.get("school"))
        except services.TransferError as exc:
            return self.refused(form, exc)
        messages.success(self.request, _("Move accepted. The child, their devices and their history are now in your council's records."))
        return redirect(transfer.child.get_absolute_url())


class DeclineView(TransferActionView):
    form_class = DeclineForm
    template_name = "transfers/decline.html"

    def form_valid(self, form):
        try:
            transfer = services.decline(transfer=self.object, by=self.request.user, reason=form.cleaned_data["reason"])
        except services.TransferError as exc:
            return self.refused(form, exc)
        messages.success(self.request, _("Move declined. %(council)s can see your reason.") % {"council": transfer.from_local_authority.name})
        return redirect(transfer.get_absolute_url())


class WithdrawView(TransferActionView):
    form_class = WithdrawForm
    template_name = "transfers/withdraw.html"
    acting_side = "from_local_authority_id"

    def form_valid(self, form):
        try:
            transfer = services.withdraw(transfer=self.object, by=self.request.user)
        except services.TransferError as exc:
            return self.refused(form, exc)
        messages.success(self.request, _("Move withdrawn. Nothing has moved."))
        return redirect(transfer.child.get_absolute_url())
