"""Demo organisations and one user per role. Password for every demo user: see DEMO_PASSWORD."""

import datetime

from accounts.models import LocalAuthority, Role, School, User

DEMO_PASSWORD = "demo-password-2026"

LAS = [
    ("202", "E09000007", "Camden"),
    ("204", "E09000012", "Hackney"),
    ("306", "E09000008", "Croydon"),
]

SCHOOLS = [
    (990000, "Argyle Primary School", "202", "Primary", "Community school", "WC1H 9EG"),
    (990050, "Camden School for Girls", "202", "Secondary", "Voluntary aided school", "NW5 2DB"),
    (990053, "Haverstock School", "202", "Secondary", "Community school", "NW3 2BQ"),
    (990227, "Gayhurst Community School", "204", "Primary", "Community school", "E8 3EN"),
    (990275, "Stoke Newington School", "204", "Secondary", "Community school", "N16 9EX"),
    (991780, "Whitehorse Manor Junior School", "306", "Primary", "Community school", "CR7 8SB"),
    (991826, "Harris Academy South Norwood", "306", "Secondary", "Academy converter", "SE25 6AE"),
]

#: (URN, name, successor's URN): closed in August 2025, its pupils moved to Argyle Primary
CLOSED_SCHOOL = (990061, "Kentish Town Church Primary School", 990000)

USERS = [
    ("officer", "Olu", "Adebayo", Role.COUNCIL_OFFICER, "202", None, False),
    ("officer.hackney", "Hana", "Kowalski", Role.COUNCIL_OFFICER, "204", None, False),
    ("school", "Sam", "Patel", Role.SCHOOL_STAFF, "202", 990053, False),
    ("agent", "Amina", "Hussain", Role.SUPPORT_AGENT, None, None, True),
    ("agent.camden", "Piotr", "Nowak", Role.SUPPORT_AGENT, "202", None, False),
    ("cio", "Claire", "Morgan", Role.CIO, "202", None, False),
    ("london", "Lewis", "Grant", Role.LONDON_LEAD, None, None, False),
    ("admin", "Ada", "Okafor", Role.ADMIN, None, None, True),
]


def seed(stdout, style):
    las = {}
    for code, gss, name in LAS:
        las[code], _ = LocalAuthority.objects.update_or_create(code=code, defaults={"gss_code": gss, "name": name})
    for urn, name, la, phase, type_, postcode in SCHOOLS:
        School.objects.update_or_create(
            urn=urn,
            defaults={"name": name, "local_authority": las[la], "phase": phase, "type": type_, "postcode": postcode,
                      "open_date": datetime.date(1990, 9, 1)},
        )
    # A closed Camden school whose successor GIAS names (made up, as every demo URN is 9xxxxx):
    # listed on "Closed schools" for the officer to move what it still holds.
    closed, _ = School.objects.update_or_create(
        urn=CLOSED_SCHOOL[0],
        defaults={"name": CLOSED_SCHOOL[1], "local_authority": las["202"], "phase": "Primary", "type": "Community school", "postcode": "NW5 1TB",
                  "open_date": datetime.date(1990, 9, 1), "close_date": datetime.date(2025, 8, 31), "status": School.Status.CLOSED},
    )
    if closed.successor_id is None:
        closed.successor = School.objects.get(urn=CLOSED_SCHOOL[2])
        closed.save(update_fields=["successor"])
    stdout.write(style.MIGRATE_HEADING("Demo logins (password for all: %s)" % DEMO_PASSWORD))
    for username, first, last, role, la, urn, dsl in USERS:
        user = User.objects.filter(username=username).first()
        created = user is None
        user = user or User(username=username)
        user.first_name, user.last_name, user.role = first, last, role
        user.email = f"{username}@demo.devices.example"
        user.local_authority = las[la] if la else None
        user.school = School.objects.get(urn=urn) if urn else None
        user.is_safeguarding_lead = dsl
        user.is_staff = user.is_superuser = role == Role.ADMIN
        if created:
            user.set_password(DEMO_PASSWORD)
        user.save()
        stdout.write(f"  {username:<18} {user.get_role_display():<28} {user.scope_label}")
