"""``{% child_moves child %}``: on a child's page, the move waiting for an answer, the moves
that brought the child here, and the link to propose a move (for those who may)."""

from django import template

from transfers import services
from transfers.models import ChildTransfer, TransferStatus

register = template.Library()


@register.inclusion_tag("transfers/_child_moves.html", takes_context=True)
def child_moves(context, child):
    user = context["request"].user
    moves = list(
        ChildTransfer.objects.visible_to(user).filter(child=child).select_related("from_local_authority", "to_local_authority").order_by("-proposed_at")
    )
    return {
        "child": child,
        "waiting": next((m for m in moves if m.status == TransferStatus.PROPOSED), None),
        "arrived": [m for m in moves if m.status == TransferStatus.ACCEPTED and m.to_local_authority_id == child.local_authority_id],
        "can_propose": not child.anonymised_at and services.can_act_for(user, child.local_authority_id),
    }
