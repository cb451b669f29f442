"""Stocktake facts shown on other apps' pages (the device page), read through ``visible_to``."""

from django import template

from stocktakes.models import StocktakeItem

register = template.Library()


def last_seen(device, user):
    """The latest stocktake line that found ``device``, among the stocktakes ``user`` may see:
    one query on the (device, -found_at) index."""
    return (
        StocktakeItem.objects.visible_to(user)
        .filter(device=device, found_at__isnull=False)
        .select_related("stocktake__school", "stocktake__local_authority")
        .order_by("-found_at")
        .first()
    )


@register.inclusion_tag("stocktakes/_last_seen.html", takes_context=True)
def last_seen_in_stocktake(context, device):
    return {"seen": last_seen(device, context["request"].user)}
