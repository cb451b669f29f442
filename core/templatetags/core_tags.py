"""Template helpers shared by every app's pages."""

from django import forms, template
from django.utils.translation import get_language_bidi

from core.languages import language_markup
from core.tables import page_cells

register = template.Library()


@register.filter
def widget_type(bound_field):
    return bound_field.field.widget.__class__.__name__.lower().replace("widget", "").replace("input", "") or "text"


@register.filter
def add_govuk_class(bound_field, css_class):
    """Render a bound field's widget with a GOV.UK class and error/hint ARIA attributes."""
    attrs = {"class": css_class + (f" {css_class}--error" if bound_field.errors else "")}
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}-error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    widget = bound_field.field.widget
    free_text = isinstance(widget, forms.Textarea) or getattr(widget, "input_type", None) in ("text", "search")
    if free_text and "dir" not in widget.attrs:
        # Free text may be typed in any script: the browser takes its direction from the text
        # (unless the form knows it, as a guide's Urdu text fields do).
        attrs["dir"] = "auto"
    existing = bound_field.field.widget.attrs.get("class")
    if existing:
        attrs["class"] += " " + existing
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag
def text_direction():
    return "rtl" if get_language_bidi() else "ltr"


@register.simple_tag(takes_context=True)
def querystring_replace(context, **kwargs):
    """The current query string with some parameters replaced (for sort and page links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.simple_tag
def table_page_cells(table):
    """The rendered cells of the table's current page, row by row (``core.tables.page_cells``)."""
    return page_cells(table)


@register.simple_tag(takes_context=True)
def page_table(context, table):
    """The table, rendered with its own template inside the page's context.

    django-tables2's ``{% render_table %}`` renders the table template as a new template with
    the request, so every context processor (the navigation among them) ran a second time for
    the page. Here the template is rendered in the context the page already has, like
    ``{% include %}``; ``table.context`` is set for template columns, as ``render_table`` does.
    """
    template = context.template.engine.get_template(table.template_name)
    table.context = context
    table.before_render(context.get("request"))
    try:
        with context.push(table=table):
            return template.render(context)
    finally:
        del table.context


@register.filter
def language(code):
    """``{{ ticket.language|language }}``: ``core.languages.language_markup``."""
    return language_markup(code)
