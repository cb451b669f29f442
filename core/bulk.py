"""Bulk actions on the rows of a filtered, scoped list: the one piece every list uses.

A list page that acts on many rows has four parts, all here:

* **the selection** (``BulkSelectionForm``): the rows ticked on the page (``pk``, the table's
  ``SelectColumn`` check boxes, tied to the form with ``form="bulk-form"``) or "every row
  matching this filter" (``which=matching``; the list's querystring carried in ``filters`` and
  re-evaluated through the list's filterset on ``visible_to(user)``; ``upto``, the highest id
  counted on the check page, leaves out rows added after the person looked). Ids that are not
  whole numbers, an empty selection, filter values the filterset rejects and an unknown action
  are form errors; ids outside the user's scope are never looked at (the rows are always
  ``queryset.filter(pk__in=...)`` of a ``visible_to`` queryset) and are counted as "could not be
  found".
* **the actions** (``BulkAction``): what the list can do, declared as a list on the view
  (``BulkActionView.actions``), each calling the *same* service as the single action, in one
  transaction (``each`` runs a one-row service row by row, each in a savepoint, so a refused
  row is reported and the others are kept; a set-wise service such as
  ``devices.services.put_in_stock`` takes the queryset whole). A service returns an object with
  ``done`` (rows changed) and ``refused`` ((row, reason) pairs), like ``Outcome``.
* **the check page** (GET ``BulkActionView``, ``templates/core/bulk_check.html``): how many rows,
  how many the action will refuse and why (``BulkAction.preview``), the action's own fields
  (``BulkAction.form_class``, for example the school to move to), and the confirm button.
* **the result page** (POST, ``templates/core/bulk_result.html``): what was done and what was
  refused, with each refused row's reason.

A selection of more than ``BULK_MAX_IN_REQUEST`` rows (10,000; the settings may lower it) is
refused on the check page with the reason and the advice to narrow the filter: the set-wise
services do 10,000 rows in seconds, so there is no background queue to watch.

To add an action to a list, append a ``BulkAction`` to the view's ``actions`` (see
``devices/bulk.py`` for the device list's, with the extension point for recall campaigns).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _
from django.views import View

import django_tables2 as tables

from core.views import RoleRequiredMixin

#: Most rows one bulk action may change in one request (more is refused with the reason).
BULK_MAX_IN_REQUEST = getattr(settings, "BULK_MAX_IN_REQUEST", 10_000)
#: Rows named on the check and result pages before "and N more".
SHOWN = 20
REFUSED_SHOWN = 500
#: List parameters that are about the page, not the filter.
PAGE_PARAMS = ("page", "per_page", "sort", "_export", "columns", "show")
SELECTED, MATCHING = "selected", "matching"


def _whole_number(value):
    value = str(value)
    return value.isdigit() and len(value) < 18


def filter_query(querydict):
    """The list's querystring without its paging, sorting and export parameters."""
    query = querydict.copy()
    for key in PAGE_PARAMS:
        query.pop(key, None)
    return query.urlencode()


class BulkSelectionForm(forms.Form):
    """Which rows of a list: those ticked, or every row matching the list's filter.

    Subclasses may rename the fields (``which_field``, ``pk_field``, ``matching_value``: the SIM
    page's ``scope=all`` and ``sim``) and add their own; ``rows()`` resolves the selection the
    same way for all of them."""

    which_field, pk_field, matching_value = "which", "pk", MATCHING
    empty_message = _("Select at least one row, or choose every row matching the filter.")
    unreadable_message = _("The rows chosen could not be read. Go back to the list and choose them again.")
    bad_filter_message = _("These filters are not valid. Go back to the list and choose again.")
    max_rows = None  # None: BULK_MAX_IN_REQUEST

    which = forms.ChoiceField(
        label=_("Which rows"), widget=forms.RadioSelect, initial=SELECTED,
        choices=[(SELECTED, _("The rows I selected")), (MATCHING, _("Every row matching this filter"))],
    )
    pk = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.MultipleHiddenInput)
    filters = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    upto = forms.IntegerField(required=False, min_value=0, max_value=2**62, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ids = self.fields.get(self.pk_field)
        if ids is not None:
            # Any whole number is accepted here; the rows are then looked up within the user's scope.
            ids.valid_value = _whole_number
            ids.error_messages["invalid_choice"] = self.unreadable_message
        if "upto" in self.fields:
            self.fields["upto"].error_messages.update(invalid=self.unreadable_message, min_value=self.unreadable_message, max_value=self.unreadable_message)

    def clean(self):
        data = super().clean()
        if self.which_field in data and not self.is_matching() and not data.get(self.pk_field):
            raise ValidationError(self.empty_message, code="empty")
        return data

    @property
    def limit(self):
        return self.max_rows or BULK_MAX_IN_REQUEST

    def is_matching(self):
        return self.cleaned_data.get(self.which_field) == self.matching_value

    def chosen_ids(self):
        return list(dict.fromkeys(self.cleaned_data.get(self.pk_field) or []))

    def filter_data(self):
        return QueryDict(self.cleaned_data.get("filters") or "")

    def rows(self, queryset, filterset_class=None, *, request=None, filter_data=None, upto=None):
        """The chosen rows of ``queryset`` (a ``visible_to`` queryset), or ``None`` (with a form
        error) when the filter is not valid. ``upto`` (default: the form's) caps the ids of
        "every row matching"."""
        if not self.is_matching():
            return queryset.filter(pk__in=self.chosen_ids()[: self.limit])
        data = self.filter_data() if filter_data is None else filter_data
        filterset = filterset_class(data, queryset=queryset, request=request)
        if not filterset.is_valid():
            self.add_error(None, self.bad_filter_message)
            return None
        rows = filterset.qs
        upto = self.cleaned_data.get("upto") if upto is None else upto
        return rows.filter(pk__lte=upto) if upto is not None else rows

    def error_list(self):
        return [str(e) for errors in self.errors.values() for e in errors]


class SelectColumn(tables.Column):
    """A tick box per row, tied to the list's bulk form (``form="bulk-form"``) so the table can sit
    outside it. ``label_of(record)`` names the row for screen readers."""

    def __init__(self, *, label_of=str, name="pk", form_id="bulk-form", **kwargs):
        self.label_of, self.input_name, self.form_id = label_of, name, form_id
        kwargs.setdefault("verbose_name", _("Select"))
        super().__init__(accessor="pk", orderable=False, exclude_from_export=True, **kwargs)

    def render(self, record):
        return format_html(
            '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes"><div class="govuk-checkboxes__item">'
            '<input class="govuk-checkboxes__input" type="checkbox" name="{}" value="{}" id="select-{}" form="{}">'
            '<label class="govuk-label govuk-checkboxes__label" for="select-{}"><span class="govuk-visually-hidden">{}</span></label></div></div>',
            self.input_name, record.pk, record.pk, self.form_id, record.pk, gettext("Select %(row)s") % {"row": self.label_of(record)},
        )


@dataclass
class Outcome:
    """What a bulk action did: ``done`` the rows changed, ``refused`` (row, reason) pairs."""

    done: list = field(default_factory=list)
    refused: list = field(default_factory=list)


@transaction.atomic
def each(rows, act):
    """Run the one-row service ``act(row)`` on every row (in primary-key order), in one
    transaction, each row in its own savepoint: a row the service refuses (``ValidationError``)
    is rolled back alone and reported with the service's message."""
    outcome = Outcome()
    for row in rows.order_by("pk"):
        try:
            with transaction.atomic():
                result = act(row)
        except ValidationError as exc:
            outcome.refused.append((row, " ".join(exc.messages)))
        else:
            if result is False:
                outcome.refused.append((row, gettext("Nothing to do.")))
            else:
                outcome.done.append(row)
    return outcome


@dataclass(frozen=True)
class BulkAction:
    """One thing a list can do to many rows.

    ``run(*, rows, by, data)`` calls the service (``data``: the cleaned ``form_class`` fields) and
    returns an ``Outcome``-like object; ``preview(rows, data)`` returns [(reason, count)] of the
    rows the service will refuse (``data`` is ``None`` before the action's fields are filled);
    ``form_class(*args, user=...)`` holds the action's own fields; ``redirect(request, form,
    rows)`` makes it an action that opens another page instead (printing labels), with no check
    page of its own; ``roles`` limits who is offered it (admins always are)."""

    name: str
    label: str
    run: Callable | None = None
    preview: Callable | None = None
    form_class: type | None = None
    redirect: Callable | None = None
    roles: tuple = ()
    button: str = ""

    def allowed(self, user):
        return user.is_superuser or user.role == "admin" or not self.roles or user.role in self.roles


class BulkListMixin:
    """For an ``ObjectListView``: a tick box per row and the bulk bar above the table, for users
    offered at least one of ``bulk_view.actions``. ``bulk_url_name`` is the ``BulkActionView``."""

    bulk_url_name = None
    bulk_view = None
    bulk_label_of = str

    def bulk_actions(self):
        return [a for a in self.bulk_view.actions if a.allowed(self.request.user)] if self.bulk_view else []

    def bulk_selectable(self):
        """Whether the table's rows are the list's rows (and so get a tick box)."""
        return True

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        if self.bulk_actions() and self.bulk_selectable():
            kwargs["extra_columns"] = [("select", SelectColumn(label_of=type(self).bulk_label_of))]
            kwargs["sequence"] = ("select", "...")
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actions = self.bulk_actions()
        if actions:
            context["bulk"] = {
                "url": reverse(self.bulk_url_name), "actions": actions, "filters": filter_query(self.request.GET),
                "noun": self.bulk_view.noun, "max": BULK_MAX_IN_REQUEST,
            }
        return context


class BulkActionView(RoleRequiredMixin, View):
    """The check page (GET) and the result page (POST) for the ``actions`` of one list.

    Subclasses set ``model``, ``filterset_class``, ``actions``, ``list_url_name`` and ``noun`` (the
    rows' plural, for the pages), and may narrow ``get_queryset`` (always from ``visible_to``)."""

    model = None
    filterset_class = None
    actions = ()
    list_url_name = None
    noun = _("rows")
    form_class = BulkSelectionForm
    check_template = "core/bulk_check.html"
    result_template = "core/bulk_result.html"
    select_related = ()

    def get_queryset(self, form):
        return self.model.objects.visible_to(self.request.user)

    def row_label(self, row):
        return str(row)

    def row_url(self, row):
        return row.get_absolute_url() if hasattr(row, "get_absolute_url") else ""

    def list_url(self, form=None):
        filters = (form.data.get("filters") or "")[:2000] if form is not None else ""
        return reverse(self.list_url_name) + (f"?{QueryDict(filters).urlencode()}" if filters else "")

    def _action(self, data):
        name = data.get("action", "")
        for action in self.actions:
            if action.name == name and action.allowed(self.request.user):
                return action
        return None

    def _selection(self, data):
        """(selection form, action, rows or None, errors)."""
        form = self.form_class(data)
        action = self._action(data)
        errors = []
        if action is None:
            errors.append(gettext("Choose what to do with the %(noun)s.") % {"noun": self.noun})
        if not form.is_valid():
            return form, action, None, errors + form.error_list()
        rows = form.rows(self.get_queryset(form), self.filterset_class, request=self.request)
        if rows is None:
            return form, action, None, errors + form.error_list()
        return form, action, rows, errors

    def _action_form(self, action, data=None):
        if action is None or action.form_class is None:
            return None
        return action.form_class(data, user=self.request.user) if data is not None else action.form_class(user=self.request.user)

    def _error_page(self, form, errors, action=None, status=200):
        return render(self.request, self.check_template, {
            "title": gettext("The %(noun)s could not be chosen") % {"noun": self.noun}, "errors": errors,
            "back": self.list_url(form), "noun": self.noun, "action": action,
        }, status=status)

    def _counted(self, form, rows):
        summary = rows.order_by().aggregate(n=Count("pk"), upto=Max("pk"))
        n = summary["n"]
        errors = []
        if not n:
            errors.append(gettext("None of the %(noun)s chosen could be found: nothing was changed.") % {"noun": self.noun})
        elif n > form.limit:
            errors.append(gettext(
                "%(n)s %(noun)s are chosen: one bulk action changes at most %(max)s. Filter the list further "
                "(for example by school, status or delivery) and do it in parts."
            ) % {"n": f"{n:,}", "noun": self.noun, "max": f"{form.limit:,}"})
        missing = 0 if form.is_matching() else max(0, len(form.chosen_ids()) - n)
        return n, summary["upto"], missing, errors

    def _hidden(self, form, upto):
        pairs = [("action", form.data.get("action", "")), ("which", form.cleaned_data.get("which")), ("filters", form.cleaned_data.get("filters") or "")]
        if form.is_matching():
            pairs.append(("upto", upto))
        else:
            pairs += [("pk", pk) for pk in form.chosen_ids()]
        return pairs

    def get(self, request):
        form, action, rows, errors = self._selection(request.GET)
        if errors:
            return self._error_page(form, errors, action)
        n, upto, missing, errors = self._counted(form, rows)
        if errors:
            return self._error_page(form, errors, action)
        if action.redirect is not None:
            return redirect(action.redirect(request, form, rows))
        return self._check_page(form, action, self._action_form(action), rows, n, upto, missing)

    def _check_page(self, form, action, action_form, rows, n, upto, missing, errors=()):
        data = action_form.cleaned_data if action_form is not None and action_form.is_bound and action_form.is_valid() else None
        refusals = [(reason, count) for reason, count in (action.preview(rows, data) if action.preview else []) if count]
        refused = sum(count for _, count in refusals)
        first = list(rows.select_related(*self.select_related).order_by("pk")[:SHOWN])
        return render(self.request, self.check_template, {
            "title": gettext("Check before you continue"), "action": action, "action_form": action_form, "n": n,
            "will_do": n - refused, "refusals": refusals, "missing": missing, "errors": list(errors),
            "first": [(self.row_label(r), self.row_url(r)) for r in first], "more": max(0, n - SHOWN),
            "hidden": self._hidden(form, upto), "back": self.list_url(form), "noun": self.noun, "url": self.request.path,
        })

    def post(self, request):
        form, action, rows, errors = self._selection(request.POST)
        if errors:
            return self._error_page(form, errors, action, status=400)
        if action.redirect is not None:
            return redirect(action.redirect(request, form, rows))
        n, upto, missing, errors = self._counted(form, rows)
        if errors:
            return self._error_page(form, errors, action, status=400)
        action_form = self._action_form(action, request.POST)
        if action_form is not None and not action_form.is_valid():
            return self._check_page(form, action, action_form, rows, n, upto, missing, errors=[
                e for errs in action_form.errors.values() for e in errs])
        data = action_form.cleaned_data if action_form is not None else {}
        try:
            outcome = action.run(rows=rows, by=request.user, data=data)
        except ValidationError as exc:
            return self._check_page(form, action, action_form, rows, n, upto, missing, errors=exc.messages)
        done, refused = list(outcome.done), list(outcome.refused)
        return render(request, self.result_template, {
            "title": gettext("%(label)s: %(done)s done, %(refused)s refused") % {"label": action.label, "done": len(done), "refused": len(refused)},
            "action": action, "done_count": len(done), "refused_count": len(refused), "noun": self.noun,
            "done": [(self.row_label(r), self.row_url(r)) for r in done[:SHOWN]], "done_more": max(0, len(done) - SHOWN),
            "refused": [(self.row_label(r), self.row_url(r), reason) for r, reason in refused[:REFUSED_SHOWN]],
            "refused_more": max(0, len(refused) - REFUSED_SHOWN), "back": self.list_url(form),
        })
