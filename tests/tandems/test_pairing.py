import random
from itertools import combinations, permutations

import pytest

from tandems.pairing import Candidate, best_pairs, score_pair

SLUGS = [f"t{n}" for n in range(6)]


def brute_force_best(germans, partners, k, excluded=frozenset()) -> int:
    """The best total of at most k pairs, by trying every matching."""
    best = 0
    for size in range(1, min(k, len(germans), len(partners)) + 1):
        for chosen in combinations(germans, size):
            for matched in permutations(partners, size):
                pairs = list(zip(chosen, matched, strict=True))
                if any((g.key, p.key) in excluded for g, p in pairs):
                    continue
                best = max(best, sum(score_pair(g, p).score for g, p in pairs))
    return best


def random_candidate(rng, key, country):
    topics = {slug: rng.choice(["lighthouse", "follower"])
              for slug in rng.sample(SLUGS, rng.randint(0, 4))}
    return Candidate(key=key, name=str(key), country=country,
                     population=rng.choice([15_000, 60_000, 300_000, 1_200_000, None]),
                     languages=frozenset(rng.sample(["de", "en", "fr", "nl"], 2)),
                     topics=topics,
                     preferred_countries=frozenset(rng.sample(["NL", "IT", "PL", "BG"], 1)))


def test_score_is_explained_and_names_the_lighthouse_per_topic():
    german = Candidate("g", "Hamm", "DE", 180_000, frozenset({"de", "en"}),
                       {"open-data": "lighthouse", "mobility": "follower", "x": "lighthouse"},
                       frozenset({"IT"}))
    partner = Candidate("p", "Arezzo", "IT", 97_000, frozenset({"it", "en"}),
                        {"open-data": "follower", "mobility": "lighthouse", "x": "lighthouse"})
    pair = score_pair(german, partner)
    assert pair.breakdown == {"german_leads": 3, "partner_leads": 3, "language": 2, "size": 1,
                              "country": 1}
    assert pair.score == 10
    assert pair.lighthouses == {"open-data": "german", "mobility": "partner"}


@pytest.mark.parametrize("seed", range(40))
def test_best_pairs_equals_brute_force_on_small_cases(seed):
    rng = random.Random(seed)
    germans = [random_candidate(rng, f"g{i}", "DE") for i in range(rng.randint(1, 5))]
    partners = [random_candidate(rng, f"p{i}", rng.choice(["NL", "IT", "PL", "BG"]))
                for i in range(rng.randint(1, 5))]
    k = rng.randint(1, 4)
    excluded = {(g.key, p.key) for g in germans for p in partners if rng.random() < 0.15}
    pairs = best_pairs(germans, partners, k, excluded)
    assert len(pairs) <= k
    assert len({p.german.key for p in pairs}) == len({p.partner.key for p in pairs}) == len(pairs)
    assert not any((p.german.key, p.partner.key) in excluded for p in pairs)
    assert sum(p.score for p in pairs) == brute_force_best(germans, partners, k, excluded)


def test_a_single_free_place_goes_to_the_single_best_pair():
    # A full assignment would pair star–p1 and other–p2; with one place only star–p1 counts.
    def c(key, country, topics):
        return Candidate(key, key, country, None, frozenset(), topics)

    star = c("star", "DE", {"a": "lighthouse", "b": "lighthouse", "c": "follower"})
    other = c("other", "DE", {"a": "lighthouse"})
    p1 = c("p1", "NL", {"a": "follower", "b": "follower", "c": "lighthouse"})
    p2 = c("p2", "IT", {"a": "follower"})
    (pair,) = best_pairs([star, other], [p1, p2], k=1)
    assert (pair.german.key, pair.partner.key, pair.score) == ("star", "p1", 9)


@pytest.mark.parametrize("seed", range(5))
def test_the_fast_score_matrix_gives_the_explained_scores(seed):
    from tandems.pairing import score_matrix

    rng = random.Random(seed)
    germans = [random_candidate(rng, f"g{i}", "DE") for i in range(8)]
    partners = [random_candidate(rng, f"p{i}", rng.choice(["NL", "IT", "PL", "BG"]))
                for i in range(8)]
    matrix = score_matrix(germans, partners)
    assert [[int(v) for v in row] for row in matrix] == [
        [score_pair(g, p).score for p in partners] for g in germans]


def test_must_pairs_come_first_and_the_rest_is_planned_around_them():
    def c(key, country, topics):
        return Candidate(key, key, country, None, frozenset(), topics)

    g1, g2 = c("g1", "DE", {"a": "lighthouse"}), c("g2", "DE", {"b": "lighthouse"})
    p1, p2 = c("p1", "NL", {"a": "follower", "b": "follower"}), c("p2", "IT", {"b": "follower"})
    pairs = best_pairs([g1, g2], [p1, p2], 2, required={("g1", "p2")})
    assert [(p.german.key, p.partner.key) for p in pairs] == [("g1", "p2"), ("g2", "p1")]
    assert best_pairs([g1, g2], [p1, p2], 2, excluded={("g1", "p1")})[0].german.key == "g2"
