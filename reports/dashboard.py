from django.urls import reverse

from reports import definitions


def cards(user):
    """The LA's laptop and connectivity shortfall for CIOs and officers (registered figures)."""
    if user.role not in ("cio", "council_officer") or not user.local_authority_id:
        return []
    facts = definitions.facts_for(user)
    url = reverse("reports:dashboard")
    return [definitions.card("laptop_shortfall", facts, url), definitions.card("connectivity_shortfall", facts, url)]
