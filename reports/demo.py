"""Demo need estimates for Camden and Hackney schools, and API tokens for a demo supplier and EE.

Tokens are stored hashed, so a token can be printed only when it is created: on a second run
the existing tokens are kept and the command says so (revoke them to get new ones printed).
"""

import datetime

from django.utils import timezone

from accounts.models import School, User
from connectivity.models import NetworkOperator
from reports.models import ApiToken, NeedEstimate
from reports.services import create_api_token

ESTIMATES = [(990053, "laptop", 12), (990053, "router", 4), (990050, "laptop", 7), (990227, "laptop", 9), (990275, "router", 5)]


def seed(stdout, style):
    today = timezone.localdate()
    admin = User.objects.filter(username="admin").first()
    for urn, kind, count in ESTIMATES:
        school = School.objects.filter(urn=urn).first()
        if school is None:
            continue
        NeedEstimate.objects.get_or_create(
            school=school, kind=kind, defaults={"count": count, "estimated_on": today - datetime.timedelta(days=14), "created_by": admin}
        )
    if admin is None:
        return
    stdout.write(style.MIGRATE_HEADING("Demo API tokens (shown only when created)"))
    ee, _ = NetworkOperator.objects.get_or_create(slug="ee", defaults={"name": "EE"})
    wanted = [
        ("Demo supplier deliveries", {"kind": ApiToken.Kind.SUPPLIER, "supplier_name": "Demo Supplier Ltd"}),
        ("EE monthly usage", {"kind": ApiToken.Kind.OPERATOR, "network_operator": ee}),
    ]
    for name, options in wanted:
        existing = ApiToken.objects.active().filter(name=name).first()
        if existing:
            stdout.write(f"  {name:<28} already exists ({existing.prefix}…); revoke it to get a new one printed")
            continue
        token, raw = create_api_token(name=name, by=admin, **options)
        stdout.write(f"  {name:<28} {raw}")
