"""Demo data for stocktakes (after devices/demo.py): one closed stocktake at a Camden school
with every expected device found but one. Idempotent."""

DEMO_SCHOOL_URN = 990053  # Haverstock School, the demo school user's


def seed(stdout, style):
    from accounts.models import School, User
    from stocktakes import services
    from stocktakes.models import Stocktake

    school = School.objects.filter(urn=DEMO_SCHOOL_URN).select_related("local_authority").first()
    officer = User.objects.filter(username="officer").first()
    if school is None or officer is None or Stocktake.objects.filter(school=school).exists():
        return
    if not services.expected_devices(local_authority=school.local_authority, school=school).exists():
        return
    stocktake = services.start_stocktake(by=officer, local_authority=school.local_authority, school=school)
    items = list(stocktake.items.order_by("code"))
    for item in items[1:]:
        services.record_scan(stocktake=stocktake, code=item.code.lower(), by=officer)
    services.record_scan(stocktake=stocktake, code="NOT-ON-THE-LIST-1", by=officer)
    services.close_stocktake(stocktake=stocktake, by=officer)
    stdout.write(f"  stocktake of {school.name}: {len(items)} expected, 1 missing, 1 unexpected")
