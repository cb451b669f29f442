"""``{% connection_plan_section child user %}``: the child page's "Data when the plan ends"
section, so the child page needs no view code of its own for it (two queries)."""

from django import template

from connectivity.models import ConnectionPlan

register = template.Library()


@register.inclusion_tag("connectivity/_child_plan.html")
def connection_plan_section(child, user):
    from connectivity.views import PLAN_ROLES

    rows = list(ConnectionPlan.objects.visible_to(user).filter(child=child).select_related("voucher", "network_request", "chosen_by")[:6]) if child.needs_connectivity else []
    current = next((p for p in rows if p.is_current), None)
    can_choose = not child.anonymised_at and (user.is_superuser or user.role in PLAN_ROLES)
    return {"child": child, "plan": current, "earlier": [p for p in rows if not p.is_current], "can_choose": can_choose}
