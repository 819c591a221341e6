"""Benchmark: the pairing assistant on random candidates; prints the best of 3 runs.

    .venv/bin/python benchmarks/pairing.py

No database: it times ``tandems.pairing.best_pairs`` on 15 topics and 6 free places.
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tandems.pairing import Candidate, best_pairs  # noqa: E402

TOPICS = [f"topic-{n}" for n in range(15)]


def candidates(rng, n, country):
    return [Candidate(
        key=(country, i), name=f"{country}{i}", country=country if country == "DE" else
        rng.choice(["NL", "IT", "PL", "BG", "GR", "RO"]),
        population=rng.randint(5_000, 2_000_000),
        languages=frozenset(rng.sample(["de", "en", "fr", "nl", "it", "pl"], 2)),
        topics={t: rng.choice(["lighthouse", "follower"]) for t in rng.sample(TOPICS, 5)},
        preferred_countries=frozenset(rng.sample(["NL", "IT", "PL", "BG"], 2)))
        for i in range(n)]


def measure(sizes=(500, 2000), places=6) -> list[dict]:
    """The best of 3 runs of the pairing assistant for each number of candidates a side."""
    import networkx  # noqa: F401 - imported once before timing, as in a running server
    import numpy  # noqa: F401

    rng = random.Random(2022)
    figures = []
    for n in sizes:
        germans, partners = candidates(rng, n, "DE"), candidates(rng, n, "EU")
        seconds = []
        for _run in range(3):
            started = time.perf_counter()
            pairs = best_pairs(germans, partners, places)
            seconds.append(time.perf_counter() - started)
        figures.append({"germans": n, "partners": n, "places": places,
                        "seconds": min(seconds), "best_total": sum(p.score for p in pairs)})
    return figures


def main():
    print(f"{'germans x partners':>20}  {'places':>6}  {'seconds':>8}  best total")
    for row in measure():
        print(f"{row['germans']:>9} x {row['partners']:<9}  {row['places']:>6}  "
              f"{row['seconds']:>8.2f}  {row['best_total']}")


if __name__ == "__main__":
    main()
