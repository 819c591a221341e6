import json

from django.core.management.base import BaseCommand, CommandError

from programme.models import Programme
from tandems.pairing import best_pairs
from tandems.selectors import pairing_input, pairing_rules


class Command(BaseCommand):
    help = "Suggest the best pairs for the programme's free tandem places, with reasons."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="print JSON")

    def handle(self, *args, as_json=False, **options):
        programme = Programme.objects.current()
        if programme is None:
            raise CommandError("No programme yet.")
        germans, partners, free = pairing_input(programme)
        excluded, required = pairing_rules(programme)
        pairs = best_pairs(germans, partners, free, excluded, required)
        rows = [{"german": p.german.name, "partner": p.partner.name, "score": p.score,
                 "breakdown": p.breakdown, "lighthouses": p.lighthouses} for p in pairs]
        if as_json:
            self.stdout.write(json.dumps({"free_places": free, "suggestions": rows}, indent=2,
                                          ensure_ascii=False))
            return
        self.stdout.write(f"{free} free place(s), {len(germans)} German and {len(partners)} "
                          f"partner candidate(s); {len(rows)} suggestion(s):")
        for row in rows:
            self.stdout.write(f"  {row['german']} – {row['partner']}: {row['score']} "
                              f"{row['breakdown']} lighthouses {row['lighthouses']}")

