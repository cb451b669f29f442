"""Template tags for registered figures (``reports.definitions``).

``{% figure_label "name" %}`` prints a figure's label; ``{% what_this_counts "a" "b" ... %}``
renders a GOV.UK details component with the definition of each figure named and a link to the
page listing every definition.
"""

from django import template

from reports import definitions

register = template.Library()


@register.simple_tag
def figure_label(name):
    return definitions.figure(name).label


@register.inclusion_tag("reports/includes/what_this_counts.html")
def what_this_counts(*names, names_list=(), summary=""):
    """The definitions of the figures ``names`` (or ``names_list``, a list from the context)."""
    return {"figures": [definitions.figure(n) for n in (*names, *names_list)], "summary": summary}
