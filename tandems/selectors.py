from django.db.models import Prefetch

from programme.models import CityContact
from tandems.models import Membership, Tandem, TandemTopic


def tandems_with_members(queryset=None):
    """Tandems with members, cities, contacts and topics in a fixed number of queries."""
    queryset = queryset if queryset is not None else Tandem.objects.all()
    return queryset.select_related("programme").prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("city")),
        Prefetch("topics", queryset=TandemTopic.objects.select_related("topic", "lighthouse")),
    )


def contacts_of(cities):
    return (CityContact.objects.filter(city__in=cities).select_related("user", "city")
            .order_by("city__name", "user__name"))


def diagram(tandems) -> dict:
    """Lay out the pairs for an SVG: German cities left, partners right, a line per tandem."""
    rows = []
    for i, tandem in enumerate(tandems):
        members = tandem.current_memberships()
        if len(members) == 2:
            rows.append({"german": members[0].city.name, "partner": members[1].city.name,
                         "country": members[1].city.get_country_display(), "y": 30 + i * 44})
    return {"rows": rows, "height": 30 + len(rows) * 44}
