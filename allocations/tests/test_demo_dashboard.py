import io

from django.core.management import call_command
from django.urls import reverse

from accounts import demo as accounts_demo
from allocations import demo
from allocations.dashboard import cards
from allocations.models import Allocation, AllocationStatus, Child
from allocations.tests.factories import ChildFactory
from devices.models import Ownership


class _Style:
    def __getattr__(self, name):
        return lambda text: text


def test_demo_is_idempotent_and_covers_every_state(db):
    accounts_demo.seed(io.StringIO(), _Style())
    demo.seed(io.StringIO(), _Style())
    counts = (Child.objects.count(), Allocation.objects.count())
    demo.seed(io.StringIO(), _Style())
    assert (Child.objects.count(), Allocation.objects.count()) == counts
    for code in ("202", "204"):
        allocations = Allocation.objects.filter(child__local_authority__code=code)
        assert set(allocations.values_list("status", flat=True)) == {s.value for s in AllocationStatus}
        assert allocations.filter(device__ownership=Ownership.FAMILY).exists()
        assert allocations.filter(replaces__isnull=False).exists()
        languages = set(Child.objects.filter(local_authority__code=code).values_list("preferred_language", flat=True))
        assert {"so", "ur", "pl", "bn"} <= languages


def test_dashboard_cards_scoped(users, school, other_school, django_assert_max_num_queries):
    from allocations import services
    from devices.tests.factories import DeviceFactory

    officer = users["council_officer"]
    ChildFactory(school=school)  # waiting
    ChildFactory(school=other_school)  # waiting, other LA
    planned = ChildFactory(school=school)
    services.allocate(child=planned, device=DeviceFactory(local_authority=school.local_authority, status="in_stock"), by=officer)
    # The registered figures (reports.definitions): the shortfall facts and one allocation aggregate.
    with django_assert_max_num_queries(6):
        values = {c.label: c.value for c in cards(officer)}
    assert values["Children waiting for a device"] == 1
    assert values["Allocations planned, not yet handed over"] == 1
    assert values["Devices now owned by families"] == 0
    assert cards(users["london_lead"]) == []
    admin_values = {c.label: c.value for c in cards(users["admin"])}
    assert admin_values["Children waiting for a device"] == 2


def test_home_page_shows_cards(officer_client):
    response = officer_client.get(reverse("home"))
    assert "Children waiting for a device" in response.content.decode()


def test_navigation_items(client, users):
    client.force_login(users["school_staff"])
    content = client.get(reverse("home")).content.decode()
    assert reverse("allocations:child_list") in content


def test_seed_demo_command_runs(db):
    call_command("seed_demo", stdout=io.StringIO())
    assert Child.objects.filter(reference__startswith="202-DEMO").count() == len(demo.CHILDREN) + len(demo.COUNCIL_CHILDREN)
    # Camden's care leavers belong to the council directly; one has a laptop handed over.
    council = Child.objects.filter(reference__startswith="202-DEMO", school__isnull=True)
    assert council.count() == len(demo.COUNCIL_CHILDREN)
    assert council.filter(allocations__status="handed_over").count() == 1


def test_every_allocation_card_links_to_the_allocations_it_counts(db, client):
    """Each card is a link, and the list it opens holds as many allocations as the card counts
    (the families' card used to be plain text: "Ownership transferred: Ownership transferred")."""
    from accounts.models import User

    accounts_demo.seed(io.StringIO(), _Style())
    demo.seed(io.StringIO(), _Style())
    officer = User.objects.get(username="officer")
    client.force_login(officer)
    for card in cards(officer)[1:]:
        assert card.url and not card.hint, card.label
        rows = client.get(card.url + "&per_page=200").context["table"].paginated_rows
        assert len(list(rows)) == card.value, card.label
