"""Demo data for campaigns, run by ``manage.py seed_demo`` after devices and allocations: one
open recall campaign in Camden (202) of the model most of its allocated laptops are, and a
fix-up campaign in Hackney (204). Idempotent (skipped when the campaign is there)."""

from django.db.models import Count

DEMO = [
    ("202", "recall", "Recall: re-image the {model} laptops",
     "Please bring the laptop and its charger to your child's school office by Friday. We will re-image it and give it back the same day."),
    ("204", "fix_up", "Fix-up: update the {model} laptops",
     "Please bring the laptop to the school office on Monday morning for a 20-minute update."),
]


def seed(stdout, style):
    from accounts.models import LocalAuthority, User
    from allocations.models import Allocation
    from campaigns import services
    from campaigns.models import Campaign

    stdout.write(style.MIGRATE_HEADING("Campaigns"))
    for code, kind, title, instructions in DEMO:
        la = LocalAuthority.objects.filter(code=code).first()
        officer = User.objects.filter(role="council_officer", local_authority=la).order_by("pk").first() if la else None
        if la is None or officer is None:
            continue
        model = (Allocation.objects.active().filter(device__local_authority=la, device__kind="laptop").exclude(device__model="")
                 .values_list("device__model").annotate(n=Count("pk")).order_by("-n", "device__model").first())
        if model is None:
            continue
        title = title.format(model=model[0])
        if Campaign.objects.filter(local_authority=la, title=title).exists():
            continue
        campaign, result = services.create_campaign(local_authority=la, kind=kind, title=title, instructions=instructions,
                                                    criteria={"model": model[0]}, by=officer)
        stdout.write(f"  {la.name}: campaign “{campaign.title}” with {len(result.added)} devices")
