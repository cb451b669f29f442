"""Demo data for stocktakes (after devices/demo.py): one closed stocktake in Camden, at the
school (or store room) with the most devices expected, every one found but one, and one
unexpected code. Idempotent: nothing is added once Camden has a stocktake."""

DEMO_LA = "202"


def seed(stdout, style):
    from accounts.models import LocalAuthority, User
    from stocktakes import services
    from stocktakes.models import Stocktake

    la = LocalAuthority.objects.filter(code=DEMO_LA).first()
    officer = User.objects.filter(username="officer").first()
    if la is None or officer is None or Stocktake.objects.filter(local_authority=la).exists():
        return
    places = [None, *la.schools.filter(status="open").order_by("urn")]
    sizes = [(services.expected_devices(local_authority=la, school=p).count(), i) for i, p in enumerate(places)]
    size, best = max(sizes)
    if size < 2:
        return
    place = places[best]
    stocktake = services.start_stocktake(by=officer, local_authority=la, school=place)
    items = list(stocktake.items.order_by("code"))
    for item in items[1:]:
        services.record_scan(stocktake=stocktake, code=item.code.lower(), by=officer)
    services.record_scan(stocktake=stocktake, code=items[1].code, by=officer)  # a duplicate
    services.record_scan(stocktake=stocktake, code="NOT-ON-THE-LIST-1", by=officer)
    services.close_stocktake(stocktake=stocktake, by=officer)
    stdout.write(f"  {stocktake}: {len(items)} expected, 1 missing, 1 unexpected")
