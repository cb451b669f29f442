"""Requests to networks shown on other apps' pages (the SIM, device and child pages), with the
links to raise one. Everything read through ``visible_to(user)``; the links only for those who
raise requests."""

from django import template

from connectivity.models import NetworkRequest, Sim

register = template.Library()
SHOWN = 10


def _can_raise(user):
    from connectivity.views import can_raise_requests

    return can_raise_requests(user)


@register.inclusion_tag("connectivity/_sim_requests.html", takes_context=True)
def sim_network_requests(context, sim):
    user = context["request"].user
    requests = list(NetworkRequest.objects.visible_to(user).filter(sim=sim).order_by("-changed_at", "-pk")[:SHOWN]) if sim else []
    return {"sim": sim, "requests": requests, "can_raise": sim is not None and _can_raise(user)}


@register.inclusion_tag("connectivity/_child_requests.html", takes_context=True)
def child_network_requests(context, child, allocations=()):
    user = context["request"].user
    requests = list(
        NetworkRequest.objects.visible_to(user).filter(child=child).select_related("network", "sim").order_by("-changed_at", "-pk")[:SHOWN]
    )
    device_ids = [a.device_id for a in allocations]
    sims = list(Sim.objects.visible_to(user).filter(device_id__in=device_ids).select_related("device")) if device_ids else []
    return {"child": child, "requests": requests, "sims": sims, "can_raise": _can_raise(user) and not child.anonymised_at}
