"""Support pages: the family help form and private ticket page (no account), the staff fault
report, the agents' queue and ticket page, and "my languages".

Views parse input, call ``support.services`` or a ``visible_to`` queryset, and render.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, F, Prefetch, Q, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView, TemplateView, View

import guides.services
from core.ratelimit import rate_limited
from core.bulk import BulkListMixin
from core.views import ObjectDetailView, ObjectListView, RoleRequiredMixin
from reports import definitions
from support import services
from support.bulk import TicketBulkView, queue_rows
from support.dashboard import hidden_safeguarding_figure
from support.filters import TicketFilterSet
from support.forms import (
    AccessCodeForm,
    AgentLanguagesForm,
    AssignForm,
    FamilyHelpForm,
    FindTicketForm,
    FamilyReplyForm,
    LanguageForm,
    ReplyForm,
    StaffTicketForm,
    StatusForm,
)
from support.models import (
    AgentLanguage,
    AgentProfile,
    Attachment,
    CannedResponse,
    CannedResponseText,
    Message,
    SafeguardingAccessLog,
    Source,
    Ticket,
)
from support.tables import TicketTable

AGENT_ROLES = ("support_agent", "admin")
TICKET_ROLES = ("support_agent", "council_officer", "cio", "school_staff", "admin")
REPORT_ROLES = ("school_staff", "support_agent", "council_officer", "admin")


def _is_agent(user):
    return user.is_superuser or user.role in AGENT_ROLES


# Family pages (no account) ----------------------------------------------------------------


def _languages():
    result = []
    for code, name in settings.LANGUAGES:
        result.append({"code": code, "name": name, "dir": "rtl" if code in settings.LANGUAGES_BIDI else "ltr"})
    return result


class FamilyLanguageMixin:
    """Runs the whole request, rendering included, in the page's language (from the URL or the
    ticket) so ``lang`` and ``dir`` are right, and leaves the thread's language as it was."""

    def page_language(self, request, **kwargs):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        code = self.page_language(request, **kwargs)
        if code not in dict(settings.LANGUAGES):
            raise Http404
        self.language = code
        with translation.override(code):
            request.LANGUAGE_CODE = code
            request.family_language = code
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        response.headers["Content-Language"] = code
        return response


class HelpLanguageView(TemplateView):
    """/help/: choose a language, each shown in its own name and script."""

    template_name = "support/help_language.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Get help with a device")
        context["languages"] = _languages()
        context["serial"] = self.request.GET.get("serial", "")[:60]
        return context


class HelpFormView(FamilyLanguageMixin, FormView):
    """/help/<lang>/: the family's short form in their language; ?serial= comes from the QR code.

    Whatever serial or email is typed, the response is the same (a new ticket page), so the
    form reveals nothing about devices or people."""

    form_class = FamilyHelpForm
    template_name = "support/help_form.html"

    def page_language(self, request, **kwargs):
        return kwargs["lang"]

    def get_initial(self):
        return {"serial": self.request.GET.get("serial", "")[:60], "category": self.request.GET.get("category", "")[:20]}

    def post(self, request, *args, **kwargs):
        if rate_limited(request, "help"):
            return render(request, "support/help_limited.html", {"title": _("Too many requests")}, status=429)
        if request.POST.get("website"):
            # The honeypot: people never see this field, bots fill it in.
            return render(request, "support/help_received.html", {"title": _("Thank you")})
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        from devices.models import Device

        data = form.cleaned_data
        serial = (data.get("serial") or "").strip().upper()
        device = Device.objects.filter(serial=serial).select_related("school").first() if serial else None
        try:
            ticket, token = self.create(data, serial, device)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            return self.form_invalid(form)
        guides.services.note_ticket_raised(self.request)
        return redirect(ticket.family_url() + "?new=1")

    def create(self, data, serial, device):
        return services.create_ticket(
            category=data["category"],
            description=data["description"],
            source=Source.FAMILY,
            language=self.language,
            requester_name=data["name"],
            requester_phone=data.get("phone", ""),
            requester_email=data.get("email", ""),
            device=device,
            serial_given=serial,
            needs_interpreter=data.get("needs_interpreter", False),
            uploads=[data["attachment"]] if data.get("attachment") else [],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Get help with a device")
        return context


class FindTicketView(FamilyLanguageMixin, FormView):
    """/help/<lang>/find/: the reference and the phone or email given; a one-time code follows.

    The answer is the same whether or not the reference exists and the contact matches, and the
    number of tries per address and per reference is limited."""

    form_class = FindTicketForm
    template_name = "support/find_ticket.html"
    session_key = "support_access_code"

    def page_language(self, request, **kwargs):
        return kwargs["lang"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Find your request")
        return context

    def form_valid(self, form):
        reference = "".join(ch for ch in form.cleaned_data["reference"].upper() if ch.isalnum())[:8]
        if rate_limited(self.request, "find") or rate_limited(self.request, f"find-ref:{reference}", per_address=False):
            return render(self.request, "support/help_limited.html", {"title": _("Too many requests")}, status=429)
        row = services.request_access_code(reference=reference, contact=form.cleaned_data["contact"])
        self.request.session[self.session_key] = row.pk
        return redirect(reverse("support:find_code", kwargs={"lang": self.language}))


class FindTicketCodeView(FamilyLanguageMixin, FormView):
    """/help/<lang>/find/code/: the one-time code opens the family's ticket page."""

    form_class = AccessCodeForm
    template_name = "support/find_code.html"

    def page_language(self, request, **kwargs):
        return kwargs["lang"]

    def get(self, request, *args, **kwargs):
        if not request.session.get(FindTicketView.session_key):
            return redirect(reverse("support:find", kwargs={"lang": self.language}))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Enter your code")
        return context

    def form_valid(self, form):
        code_id = self.request.session.get(FindTicketView.session_key)
        ticket = services.redeem_access_code(code_id=code_id, code=form.cleaned_data["code"]) if code_id else None
        if ticket is None:
            form.add_error("code", _("This code is wrong or has expired. Check it, or ask for a new code."))
            return self.form_invalid(form)
        self.request.session.pop(FindTicketView.session_key, None)
        return redirect(ticket.family_url())


class FamilyTicketMixin(FamilyLanguageMixin):
    """The ticket named by the private link: reference and token must match, else 404."""

    def page_language(self, request, **kwargs):
        ticket = Ticket.objects.filter(reference=kwargs["reference"].upper()).first()
        if ticket is None or not ticket.token_matches(kwargs["token"]):
            raise Http404
        self.ticket = ticket
        return ticket.language

    def get_ticket(self):
        return self.ticket


class FamilyTicketView(FamilyTicketMixin, View):
    """The family's private page: status, the public conversation, and a reply form.

    A safeguarding concern shows its reference and status only."""

    template_name = "support/family_ticket.html"

    def get(self, request, reference, token):
        ticket = self.get_ticket()
        return self.render(ticket, FamilyReplyForm())

    def post(self, request, reference, token):
        ticket = self.get_ticket()
        if ticket.is_safeguarding:
            raise Http404
        if rate_limited(request, "reply"):
            return render(request, "support/help_limited.html", {"title": _("Too many requests")}, status=429)
        form = FamilyReplyForm(request.POST, request.FILES)
        if request.POST.get("website"):
            return redirect(request.path)
        if form.is_valid():
            try:
                services.add_message(
                    ticket=ticket, body=form.cleaned_data["body"], by=None, language=ticket.language,
                    uploads=[form.cleaned_data["attachment"]] if form.cleaned_data.get("attachment") else [],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("We have your reply."))
                return redirect(request.path)
        return self.render(ticket, form)

    def render(self, ticket, form):
        thread = []
        if not ticket.is_safeguarding:
            thread = (
                ticket.messages.public().select_related("author").prefetch_related("attachments").order_by("created_at", "pk")
            )
        context = {
            "ticket": ticket,
            "thread": thread,
            "form": form,
            "token": self.kwargs["token"],
            "is_new": self.request.GET.get("new") == "1",
            "title": _("Your request %(ref)s") % {"ref": ticket.reference},
            "first_attachments": [] if ticket.is_safeguarding else ticket.attachments.filter(message__isnull=True),
        }
        return render(self.request, self.template_name, context)


class FamilyAttachmentView(FamilyTicketMixin, View):
    """A file on the family's ticket, through the private link only."""

    def get(self, request, reference, token, pk):
        ticket = self.get_ticket()
        if ticket.is_safeguarding:
            raise Http404
        attachment = get_object_or_404(
            Attachment.objects.filter(ticket=ticket).filter(Q(message__isnull=True) | Q(message__kind=Message.Kind.PUBLIC)), pk=pk
        )
        return _file_response(attachment)


def _file_response(attachment):
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # Always a download, under the detected type's extension, and never re-sniffed by the browser.
    response = FileResponse(handle, content_type=attachment.content_type, as_attachment=True, filename=attachment.download_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Staff pages ------------------------------------------------------------------------------


class TicketListView(BulkListMixin, ObjectListView):
    """Tickets in the user's scope, filtered; agents see tickets in their languages first."""

    model = Ticket
    table_class = TicketTable
    filterset_class = TicketFilterSet
    allowed_roles = TICKET_ROLES
    template_name = "support/ticket_list.html"
    title = gettext_lazy("Tickets")
    create_url_name = "support:ticket_create"
    export_name = "tickets"

    def get_queryset(self):
        user = self.request.user
        qs = super().get_queryset().with_flags().select_related("school", "assignee")
        # Most urgent first: safeguarding, then the SLA time that falls due soonest; among
        # tickets due together, the ones in the agent's languages first.
        qs = qs.by_urgency()
        if _is_agent(user):
            spoken = AgentLanguage.objects.filter(profile__user=user).values("language")
            qs = qs.annotate(
                mine_first=Case(When(Q(suggested_agent=user) | Q(language__in=spoken), then=Value(0)), default=Value(1))
            ).order_by("-is_safeguarding", F("sla_due").asc(nulls_last=True), "mine_first", "created_at", "pk")
        return self.narrow(qs)

    def narrow(self, qs):
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["is_agent"] = _is_agent(user)
        if not (user.is_superuser or user.role in REPORT_ROLES):
            context["create_url_name"] = None
        context["hidden_safeguarding"] = self.hidden_safeguarding(user)
        return context

    #: whether the list says how many safeguarding concerns it does not show (not "My tickets")
    says_hidden_safeguarding = True

    def hidden_safeguarding(self, user):
        """The sentence saying how many open safeguarding concerns this list does not show the
        user, when the list is one home card's (``support.dashboard``), so the card's figure
        (which counts them) and the rows agree; else ``None``."""
        if not self.says_hidden_safeguarding or getattr(user, "is_safeguarding_lead", False):
            return None
        name = hidden_safeguarding_figure(self.request.GET)
        if name is None:
            return None
        n = definitions.value(name, definitions.facts_for(user))
        if not n:
            return None
        sentences = {
            "open_safeguarding_concerns": ngettext(
                "%(n)s open safeguarding concern is not listed: only designated safeguarding leads can see it.",
                "%(n)s open safeguarding concerns are not listed: only designated safeguarding leads can see them.", n,
            ),
            "safeguarding_concerns_past_sla": ngettext(
                "%(n)s safeguarding concern past its SLA is not listed: only designated safeguarding leads can see it.",
                "%(n)s safeguarding concerns past their SLA are not listed: only designated safeguarding leads can see them.", n,
            ),
            "unassigned_safeguarding_concerns": ngettext(
                "%(n)s unassigned safeguarding concern is not listed: only designated safeguarding leads can see it.",
                "%(n)s unassigned safeguarding concerns are not listed: only designated safeguarding leads can see them.", n,
            ),
        }
        return {"name": name, "n": n, "text": sentences[name] % {"n": n}}


class QueueView(TicketListView):
    allowed_roles = AGENT_ROLES
    title = gettext_lazy("Support queue")
    bulk_url_name = "support:ticket_bulk"
    bulk_view = TicketBulkView

    def bulk_label_of(record):
        return record.reference

    def narrow(self, qs):
        return queue_rows(qs, self.request.GET)


class MyTicketsView(TicketListView):
    allowed_roles = AGENT_ROLES
    title = gettext_lazy("My tickets")
    says_hidden_safeguarding = False

    def narrow(self, qs):
        return qs.filter(assignee=self.request.user)


class TicketDetailView(ObjectDetailView):
    """One ticket with its conversation; agents get the action forms. Every view of a
    safeguarding ticket is logged."""

    model = Ticket
    template_name = "support/ticket_detail.html"
    allowed_roles = TICKET_ROLES

    def get_queryset(self):
        return super().get_queryset().select_related(
            "school", "local_authority", "device", "child", "assignee", "suggested_agent", "requester_user"
        )

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        services.record_safeguarding_access(ticket=self.object, user=request.user, action=SafeguardingAccessLog.Action.VIEWED)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ticket, user = self.object, self.request.user
        agent = _is_agent(user)
        thread = ticket.messages.select_related("author").prefetch_related("attachments")
        if not agent and user.role == "school_staff":
            thread = thread.public()
        context.update(
            title=_("Ticket %(ref)s") % {"ref": ticket.reference},
            thread=thread,
            first_attachments=ticket.attachments.filter(message__isnull=True),
            is_agent=agent,
            can_reply=agent or user.role == "school_staff",
        )
        if agent:
            context.update(self.agent_context(ticket, user))
            context.update(self.messages_context(ticket, user))
        if ticket.is_safeguarding:
            context["access_log"] = SafeguardingAccessLog.objects.filter(ticket=ticket).select_related("user")[:50]
        return context

    def messages_context(self, ticket, user):
        """What we sent the family about this ticket and where each got to; failures stand out."""
        from messaging.models import OutboundMessage
        from messaging.views import outbox_is_demo

        sent = list(OutboundMessage.objects.visible_to(user).filter(ticket=ticket).exclude(template="safeguarding_lead").order_by("created_at", "pk"))
        return {
            "family_messages": sent,
            "failed_messages": [m for m in sent if m.is_failed],
            "outbox_demo": outbox_is_demo() and (user.is_superuser or user.role == "admin"),
        }

    def agent_context(self, ticket, user):
        canned = None
        canned_id = self.request.GET.get("canned", "")
        initial = {"language": ticket.language, "kind": Message.Kind.PUBLIC}
        if canned_id.isdigit():
            canned = (
                CannedResponse.objects.filter(is_active=True, pk=int(canned_id))
                .prefetch_related(Prefetch("texts", queryset=CannedResponseText.objects.all()))
                .first()
            )
        if canned:
            initial.update(body=canned.text_in(ticket.language), canned_response=canned.pk)
        return {
            "reply_form": ReplyForm(initial=initial),
            "canned": canned,
            "canned_english": canned.text_in("en") if canned else "",
            "canned_local": canned.text_in(ticket.language) if canned else "",
            "canned_has_local": bool(canned and any(t.language == ticket.language for t in canned.texts.all())),
            "canned_responses": CannedResponse.objects.filter(is_active=True).only("pk", "title"),
            "status_form": StatusForm(initial={"status": ticket.status}),
            "assign_form": AssignForm(user=user, initial={"assignee": ticket.assignee_id}),
            "language_form": LanguageForm(initial={"language": ticket.language, "needs_interpreter": ticket.needs_interpreter}),
        }


class TicketActionView(RoleRequiredMixin, View):
    """Base for the POST-only actions on a ticket; the ticket comes from ``visible_to``."""

    model = Ticket
    allowed_roles = AGENT_ROLES
    http_method_names = ["post"]

    def post(self, request, pk):
        self.ticket = get_object_or_404(Ticket.objects.visible_to(request.user), pk=pk)
        try:
            self.act(request)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        return redirect(self.ticket.get_absolute_url())


class ClaimView(TicketActionView):
    def act(self, request):
        if services.claim_ticket(ticket=self.ticket, agent=request.user):
            messages.success(request, _("You have claimed this ticket."))
        else:
            messages.error(request, _("Someone else has already claimed this ticket."))


class AssignView(TicketActionView):
    def act(self, request):
        form = AssignForm(request.POST, user=request.user)
        if not form.is_valid():
            raise ValidationError(_("Choose someone who can see this ticket."))
        services.reassign_ticket(ticket=self.ticket, agent=form.cleaned_data["assignee"], by=request.user)
        messages.success(request, _("Assignment saved."))


class StatusView(TicketActionView):
    def act(self, request):
        form = StatusForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose a status."))
        services.change_status(ticket=self.ticket, status=form.cleaned_data["status"], by=request.user)
        messages.success(request, _("Status saved."))


class LanguageView(TicketActionView):
    def act(self, request):
        form = LanguageForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose a language."))
        services.confirm_language(
            ticket=self.ticket, language=form.cleaned_data["language"],
            needs_interpreter=form.cleaned_data["needs_interpreter"], by=request.user,
        )
        messages.success(request, _("Language confirmed."))


class ReplyView(TicketActionView):
    allowed_roles = AGENT_ROLES + ("school_staff",)

    def act(self, request):
        form = ReplyForm(request.POST, request.FILES)
        if request.user.role == "school_staff":
            form.data = form.data.copy()
            form.data.setdefault("kind", Message.Kind.PUBLIC)
            form.data.setdefault("language", self.ticket.language)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        data = form.cleaned_data
        canned = CannedResponse.objects.filter(pk=data["canned_response"]).first() if data.get("canned_response") else None
        services.add_message(
            ticket=self.ticket, body=data["body"], by=request.user,
            internal=data["kind"] == Message.Kind.INTERNAL and _is_agent(request.user),
            language=data["language"], canned_response=canned,
            uploads=[data["attachment"]] if data.get("attachment") else [],
        )
        messages.success(request, _("Message saved."))


class AttachmentView(ObjectDetailView):
    """A ticket's file, only for those who may see the ticket (internal notes: not school staff)."""

    model = Attachment
    allowed_roles = TICKET_ROLES

    def get_queryset(self):
        qs = Attachment.objects.visible_to(self.request.user).select_related("ticket", "message")
        if not _is_agent(self.request.user) and self.request.user.role == "school_staff":
            qs = qs.exclude(message__kind=Message.Kind.INTERNAL)
        return qs

    def get(self, request, *args, **kwargs):
        attachment = self.get_object()
        services.record_safeguarding_access(ticket=attachment.ticket, user=request.user, action=SafeguardingAccessLog.Action.DOWNLOADED)
        return _file_response(attachment)


class StaffTicketCreateView(RoleRequiredMixin, FormView):
    """Report a fault from a device's page (?device=<pk>) or by typing a serial."""

    allowed_roles = REPORT_ROLES
    form_class = StaffTicketForm
    template_name = "support/ticket_form.html"
    title = gettext_lazy("Report a fault")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        from allocations.models import Allocation

        device = self.request.GET.get("device", "")
        if not device.isdigit():
            return {}
        initial = {"device": device}
        allocation = (
            Allocation.objects.visible_to(self.request.user).active().filter(device_id=int(device)).select_related("child").first()
        )
        if allocation and allocation.child.preferred_language in dict(settings.LANGUAGES):
            # The family's language, so replies reach them in it without anyone changing it.
            initial["language"] = allocation.child.preferred_language
        return initial

    def get_context_data(self, **kwargs):
        from devices.models import Device

        context = super().get_context_data(**kwargs)
        context["title"] = _("Report a fault")
        device_id = self.request.GET.get("device", "") or self.request.POST.get("device", "")
        if device_id.isdigit():
            context["device"] = Device.objects.visible_to(self.request.user).filter(pk=int(device_id)).first()
        return context

    def form_valid(self, form):
        data, user = form.cleaned_data, self.request.user
        try:
            ticket, _token = services.create_ticket(
                category=data["category"], description=data["description"], source=Source.STAFF,
                language=data["language"], requester_user=user, requester_name=user.get_full_name(),
                device=data["device"], priority=data["priority"], needs_interpreter=data["needs_interpreter"],
                uploads=[data["attachment"]] if data.get("attachment") else [],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            return self.form_invalid(form)
        messages.success(self.request, _("Ticket %(ref)s raised.") % {"ref": ticket.reference})
        if Ticket.objects.visible_to(user).filter(pk=ticket.pk).exists():
            return redirect(ticket.get_absolute_url())
        # A safeguarding concern goes straight to the safeguarding leads.
        messages.info(self.request, _("It has gone to the designated safeguarding leads."))
        return redirect(reverse("support:ticket_list"))


class MyLanguagesView(RoleRequiredMixin, FormView):
    """An agent records the languages they speak, for routing."""

    allowed_roles = AGENT_ROLES
    form_class = AgentLanguagesForm
    template_name = "core/object_form.html"
    title = gettext_lazy("My languages")

    def get_initial(self):
        profile = AgentProfile.objects.filter(user=self.request.user).first()
        return {"languages": profile.language_codes if profile else []}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("My languages")
        return context

    def form_valid(self, form):
        services.set_agent_languages(user=self.request.user, languages=form.cleaned_data["languages"])
        messages.success(self.request, _("Your languages are saved."))
        return redirect(reverse("support:my_languages"))
