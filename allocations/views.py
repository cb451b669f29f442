"""Children and allocation pages. Thin: parse input, call a service or queryset, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from django.views.generic.detail import SingleObjectMixin

from allocations import data_protection, forms, services
from allocations.filters import AllocationFilterSet, ChildFilterSet
from allocations.letters import letter_context
from allocations.models import Allocation, Child, HandoverAcceptance, ReadinessCheck, ReadinessItem, kit_for
from allocations.tables import AllocationTable, ChildTable
from core.views import ObjectCreateView, ObjectDetailView, ObjectListView, ObjectUpdateView, RoleRequiredMixin, ScopedQuerysetMixin
from devices.models import DeviceEvent

#: Who may see children and allocations (within their scope). The London lead sees aggregates only.
VIEW_ROLES = ("council_officer", "cio", "school_staff", "support_agent")
#: Who may create and edit children and run every allocation action.
MANAGE_ROLES = ("council_officer",)
#: Who may record a handover (school staff, for their own school's children).
HANDOVER_ROLES = ("council_officer", "school_staff")


def _has_role(user, roles):
    return user.is_superuser or user.role == "admin" or user.role in roles


def permissions_for(user):
    return {
        "can_manage": _has_role(user, MANAGE_ROLES),
        "can_hand_over": _has_role(user, HANDOVER_ROLES),
        "can_export": _has_role(user, MANAGE_ROLES),
    }


# Children ---------------------------------------------------------------------------------


class ChildListView(ObjectListView):
    model = Child
    table_class = ChildTable
    filterset_class = ChildFilterSet
    allowed_roles = VIEW_ROLES
    title = gettext_lazy("Children")
    export_name = "children"

    def get_queryset(self):
        return super().get_queryset().select_related("school").with_device_flag()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if _has_role(self.request.user, MANAGE_ROLES):
            context["create_url_name"] = "allocations:child_create"
        return context


class ChildDetailView(ObjectDetailView):
    model = Child
    template_name = "allocations/child_detail.html"
    allowed_roles = VIEW_ROLES

    def get_queryset(self):
        return super().get_queryset().select_related("school", "local_authority")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        allocations = list(
            self.object.allocations.select_related("device", "replaces__device").order_by("created_at", "pk")
        )
        replacements = {a.replaces_id: a for a in allocations if a.replaces_id}
        for a in allocations:
            a.replacement = replacements.get(a.pk)
        context["allocations"] = allocations
        context["current"] = [a for a in allocations if a.is_active]
        context["allocate_form"] = forms.AllocateForm(user=self.request.user)
        context.update(permissions_for(self.request.user))
        return context


class ChildEditMixin:
    model = Child
    form_class = forms.ChildForm
    allowed_roles = MANAGE_ROLES

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            self.object = services.save_child(child=form.instance, by=self.request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Child %(ref)s saved.") % {"ref": self.object.reference})
        return redirect(self.object.get_absolute_url())


class ChildCreateView(ChildEditMixin, ObjectCreateView):
    title = gettext_lazy("Add a child")


class ChildUpdateView(ChildEditMixin, ObjectUpdateView):
    title = gettext_lazy("Edit child")

    def get_queryset(self):
        return super().get_queryset().active()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Titled by whom it shows, not "Edit child".
        context["title"] = _("Edit %(child)s") % {"child": self.object}
        return context


class ChildExportView(ObjectDetailView):
    """Subject access export: everything held about one child, as JSON or XLSX."""

    model = Child
    allowed_roles = MANAGE_ROLES

    def get(self, request, *args, **kwargs):
        child = self.get_object()
        data = data_protection.subject_access_data(child, user=request.user)
        name = get_valid_filename(f"subject-access-{child.reference}-{timezone.localdate():%Y%m%d}")
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(
                data_protection.subject_access_xlsx(data),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response


# Allocations ------------------------------------------------------------------------------


class AllocationListView(ObjectListView):
    model = Allocation
    table_class = AllocationTable
    filterset_class = AllocationFilterSet
    allowed_roles = VIEW_ROLES
    title = gettext_lazy("Allocations")
    export_name = "allocations"

    def get_queryset(self):
        return super().get_queryset().select_related("child__school", "device")


class AllocationDetailView(ObjectDetailView):
    model = Allocation
    template_name = "allocations/allocation_detail.html"
    allowed_roles = VIEW_ROLES

    def get_queryset(self):
        return super().get_queryset().select_related(
            "child__school", "device__local_authority", "device__batch", "replaces__device", "created_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        allocation = self.object
        context["replaced_by"] = list(allocation.replaced_by.select_related("device"))
        from devices.views import custody_events

        context["events"] = custody_events(allocation_events(allocation), self.request.user, allocation.device)
        context["hand_over_form"] = forms.HandOverForm()
        context["return_form"] = forms.ReturnForm()
        context["replace_form"] = forms.ReplaceForm(user=self.request.user)
        context["transfer_form"] = forms.TransferOwnershipForm()
        context["acceptance"] = HandoverAcceptance.objects.visible_to(self.request.user).filter(allocation=allocation).select_related("witnessed_by").first()
        context["readiness"] = readiness_rows(allocation) if allocation.status == "handed_over" else []
        context["readiness_missing"] = [row for row in context["readiness"] if not row["check"]]
        context["return_inspection"] = getattr(allocation, "return_inspection", None) if allocation.status == "returned" else None
        context.update(permissions_for(self.request.user))
        return context


def allocation_events(allocation):
    """The device's custody-log entries from the day this allocation was planned to the day it ended."""
    events = DeviceEvent.objects.filter(device_id=allocation.device_id).select_related("actor").order_by("at", "pk")
    start = allocation.planned_on or allocation.created_at.date()
    events = events.filter(at__date__gte=start)
    if allocation.ended_on:
        events = events.filter(at__date__lte=allocation.ended_on)
    return list(events[:200])


class ActionView(RoleRequiredMixin, ScopedQuerysetMixin, SingleObjectMixin, FormView):
    """A confirmation page (GET) and a POST that calls one service. Refusals are messages."""

    template_name = "allocations/action_form.html"
    allowed_roles = MANAGE_ROLES
    model = Allocation
    title = ""
    submit_label = gettext_lazy("Confirm")
    success_message = ""
    warning = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not _has_role(request.user, self.allowed_roles):
            raise PermissionDenied
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        if self.model is Allocation:
            return qs.select_related("child__school", "device")
        return qs.select_related("school")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            result = self.perform(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.get_success_url(result))

    def get_success_url(self, result=None):
        target = result if isinstance(result, Allocation) else self.object
        return target.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, submit_label=self.submit_label, warning=self.warning, object=self.object)
        return context


class ChildAllocateView(ActionView):
    """The device picker: a GET search (serial, asset tag, make, model) lists the devices that
    can be allocated to the child as radio buttons; the POST allocates the one chosen.
    ``static/js/allocations.js`` refreshes the list as the officer types or scans."""

    model = Child
    form_class = forms.AllocateForm
    template_name = "allocations/allocate.html"
    title = gettext_lazy("Allocate a device")
    submit_label = gettext_lazy("Allocate device")
    success_message = gettext_lazy("Device allocated.")

    def get_queryset(self):
        return super().get_queryset().active()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.search = forms.DevicePickerSearchForm(self.request.GET)
        self.query = self.search.cleaned_data["q"].strip() if self.search.is_valid() else ""
        if self.request.method == "POST":
            try:
                chosen = int(self.request.POST.get("device") or 0)
            except ValueError:
                chosen = 0
            devices = forms.allocatable_devices(self.request.user, self.object, pk=chosen) if chosen else []
        else:
            devices = forms.allocatable_devices(self.request.user, self.object, self.query)
        self.more = len(devices) > forms.PICKER_LIMIT
        kwargs.update(child=self.object, devices=devices[: forms.PICKER_LIMIT])
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(search=self.search, query=self.query, more=self.more, limit=forms.PICKER_LIMIT)
        return context

    def perform(self, form):
        return services.allocate(child=self.object, device=form.device, by=self.request.user)


class HandOverView(ActionView):
    form_class = forms.HandOverForm
    allowed_roles = HANDOVER_ROLES
    title = gettext_lazy("Record handover")
    submit_label = gettext_lazy("Record handover")
    success_message = gettext_lazy("Handover recorded.")

    def get_success_url(self, result=None):
        # Straight on to the family's acceptance: the kit, the rules, the signature.
        return reverse("allocations:allocation_acceptance", args=[self.object.pk])

    def perform(self, form):
        data = form.cleaned_data
        return services.hand_over(
            allocation=self.object, on=data["on"], handed_over_by=data["handed_over_by"], received_by=data["received_by"], by=self.request.user
        )


class ReturnView(ActionView):
    """A return: each kit item's condition and the data-wipe confirmation; the device goes back
    into stock (or is reported faulty when it came back damaged)."""

    form_class = forms.ReturnInspectionForm
    title = gettext_lazy("Record a return")
    submit_label = gettext_lazy("Record return")
    success_message = gettext_lazy("Return recorded.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["kit"] = kit_for(self.object.device)
        return kwargs

    def perform(self, form):
        data = form.cleaned_data
        return services.return_device(
            allocation=self.object, on=data["on"], reason=data["reason"], by=self.request.user,
            kit_conditions=form.kit_conditions(), wipe_method=data["wipe_method"], wipe_reference=data["wipe_reference"],
        )


class CancelView(ActionView):
    form_class = forms.CancelForm
    title = gettext_lazy("Cancel this allocation")
    submit_label = gettext_lazy("Cancel allocation")
    success_message = gettext_lazy("Allocation cancelled.")
    warning = gettext_lazy("The device goes back into stock. Use this only if the family never received it.")

    def perform(self, form):
        return services.cancel(allocation=self.object, by=self.request.user)


class ReplaceView(ActionView):
    form_class = forms.ReplaceForm
    title = gettext_lazy("Replace a faulty device")
    submit_label = gettext_lazy("Replace device")
    success_message = gettext_lazy("Device replaced. The old device has been sent for repair.")

    def perform(self, form):
        return services.replace_device(allocation=self.object, new_device=form.device, reason=form.cleaned_data["reason"], by=self.request.user)


class TransferOwnershipView(ActionView):
    """Transfer of ownership in two steps: the page shows the readiness list and asks for the
    date; a GOV.UK confirmation page then says what will happen and that it cannot be undone;
    only its "Yes" calls ``services.transfer_ownership`` (which itself refuses until the
    readiness list is complete)."""

    form_class = forms.TransferConfirmForm
    template_name = "allocations/transfer.html"
    title = gettext_lazy("Transfer ownership to the family")
    submit_label = gettext_lazy("Continue")
    success_message = gettext_lazy("Ownership transferred to the family.")

    def get_queryset(self):
        return super().get_queryset().select_related("child__school", "child__local_authority")

    def form_valid(self, form):
        if not form.cleaned_data.get("confirmed"):
            return self.render_to_response(self.get_context_data(form=form, confirming=True))
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["readiness"] = readiness_rows(self.object)
        context["missing"] = [row for row in context["readiness"] if not row["check"]]
        return context

    def perform(self, form):
        return services.transfer_ownership(allocation=self.object, on=form.cleaned_data["on"], by=self.request.user)


def readiness_rows(allocation):
    """The readiness list for a page: each item with its check (who and when) or None."""
    checks = {c.item: c for c in ReadinessCheck.objects.filter(allocation_id=allocation.pk).select_related("done_by")}
    return [{"item": item, "label": label, "check": checks.get(item)} for item, label in ReadinessItem.choices]


class ReadinessView(ActionView):
    """The readiness list before ownership passes: what is done (who, when) and what is not."""

    form_class = forms.ReadinessForm
    template_name = "allocations/readiness.html"
    title = gettext_lazy("Before ownership passes")
    submit_label = gettext_lazy("Record as done")
    success_message = gettext_lazy("Readiness list updated.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["missing"] = services.readiness_missing(self.object)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["readiness"] = readiness_rows(self.object)
        context["missing"] = [row for row in context["readiness"] if not row["check"]]
        return context

    def get_success_url(self, result=None):
        return reverse("allocations:allocation_readiness", args=[self.object.pk])

    def perform(self, form):
        return services.record_readiness(
            allocation=self.object, items=form.cleaned_data["items"], note=form.cleaned_data["note"], by=self.request.user
        )


class AcceptanceView(ActionView):
    """The handover screen: the kit, the family's acceptance in their language beside English,
    and the guardian's signature (drawn on screen, or their typed name)."""

    form_class = forms.AcceptanceForm
    template_name = "allocations/handover.html"
    allowed_roles = HANDOVER_ROLES
    title = gettext_lazy("The family's acceptance")
    submit_label = gettext_lazy("Save the signed acceptance")
    success_message = gettext_lazy("The signed acceptance is saved with the allocation.")

    def get_queryset(self):
        return super().get_queryset().select_related("child__school", "child__local_authority", "device__sim")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["kit"] = kit_for(self.object.device)
        return kwargs

    def get_initial(self):
        return {"guardian_name": self.object.child.guardian_name}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        letter = letter_context(self.object, self.request, kind="handover")
        context.update(letter)
        context["support_phone"] = letter["support_phone"]
        return context

    def perform(self, form):
        data = form.cleaned_data
        return services.record_acceptance(
            allocation=self.object, kit_items=data["kit_items"], guardian_name=data["guardian_name"],
            signature=data["signature"], by=self.request.user,
        )


class AcceptancePdfView(ObjectDetailView):
    """The stored acceptance PDF, to view or print (404 when none has been signed)."""

    model = Allocation
    allowed_roles = VIEW_ROLES

    def get(self, request, *args, **kwargs):
        allocation = self.get_object()
        acceptance = HandoverAcceptance.objects.visible_to(request.user).filter(allocation=allocation).first()
        if acceptance is None or not acceptance.pdf:
            raise Http404(_("No signed acceptance is kept for this allocation."))
        response = HttpResponse(bytes(acceptance.pdf), content_type="application/pdf")
        name = get_valid_filename(f"acceptance-{allocation.device.serial}")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response


class SendAcceptanceView(ActionView):
    """Post the family their signed acceptance, through the messaging layer."""

    form_class = forms.SendAcceptanceForm
    allowed_roles = HANDOVER_ROLES
    title = gettext_lazy("Post the signed acceptance to the family")
    submit_label = gettext_lazy("Send by post")
    success_message = gettext_lazy("The signed acceptance is queued to be posted. It is in the messages sent to the family.")

    def get_initial(self):
        name = self.object.child.guardian_name
        return {"address": f"{name}\n" if name else ""}

    def perform(self, form):
        acceptance = HandoverAcceptance.objects.visible_to(self.request.user).filter(allocation=self.object).first()
        if acceptance is None:
            raise ValidationError(_("The family has not signed an acceptance for this device yet."))
        services.send_acceptance(acceptance=acceptance, address=form.cleaned_data["address"], by=self.request.user)
        return self.object


class PostLetterView(ActionView):
    """Send the handover or ownership letter by post, through the messaging layer."""

    form_class = forms.PostLetterForm
    title = gettext_lazy("Post the letter to the family")
    submit_label = gettext_lazy("Send by post")
    success_message = gettext_lazy("The letter is queued to be posted. It is in the messages sent to the family.")

    def get_initial(self):
        kind = "ownership" if self.object.device.ownership == "family" else "handover"
        name = self.object.child.guardian_name
        return {"kind": kind, "address": f"{name}\n" if name else ""}

    def perform(self, form):
        services.post_letter(allocation=self.object, kind=form.cleaned_data["kind"], address=form.cleaned_data["address"],
                             by=self.request.user)
        return self.object


class LetterView(ObjectDetailView):
    """A printable A4 letter for the family, in their language with English beside it."""

    model = Allocation
    template_name = "allocations/letter.html"
    allowed_roles = VIEW_ROLES

    def get_queryset(self):
        return super().get_queryset().select_related("child__school", "child__local_authority", "device")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(letter_context(self.object, self.request, kind=self.request.GET.get("kind")))
        return context
