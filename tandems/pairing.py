"""The pairing assistant: the best set of at most k German–partner pairs, explained.

A pair's score (also shown on the admin page and in the README):

- 3 points per topic the German city offers as lighthouse and the partner wants to learn,
- 3 points per topic the partner offers as lighthouse and the German city wants to learn,
- 2 points for a shared working language,
- 1 point for a similar size (the same size class, or a neighbouring one),
- 1 point if the partner's country is one the German city would prefer.

``best_pairs`` finds the k pairs with the highest total exactly. Taking the top k pairs
of a full assignment is not optimal for k, so it solves the k-cardinality problem as a
min-cost flow of value k, on a graph pruned without losing the optimum:

1. each German city keeps its k best partners: in an optimal k-matching, a German city
   paired outside its own top k can swap to one of them that is unused (the other k-1
   pairs use at most k-1 of them) without lowering the total;
2. the same argument, within what is left, for each partner city's k best Germans;
3. now every city has at most k edges, so the k-1 other pairs of an optimal matching
   touch at most 2k(k-1) edges, and the 2k(k-1)+1 heaviest edges always hold one that a
   lighter pair could swap to: only those edges go into the flow.

All pair scores are computed at once with numpy (topics as bit masks), so 2,000 x 2,000
candidates take well under a second; the explanation is computed for the chosen pairs.
"""

from dataclasses import dataclass, field

LIGHTHOUSE, FOLLOWER = "lighthouse", "follower"
TOPIC_POINTS, LANGUAGE_POINTS, SIZE_POINTS, COUNTRY_POINTS = 3, 2, 1, 1
SIZE_CLASSES = (20_000, 100_000, 500_000)  # small town, town, city, large city


@dataclass(frozen=True)
class Candidate:
    key: object  # the City's pk (or anything hashable in tests)
    name: str
    country: str
    population: int | None
    languages: frozenset[str]
    topics: dict  # topic slug -> "lighthouse" | "follower"
    preferred_countries: frozenset[str] = frozenset()


@dataclass
class Pair:
    german: Candidate
    partner: Candidate
    score: int
    breakdown: dict = field(default_factory=dict)
    lighthouses: dict = field(default_factory=dict)  # topic slug -> "german" | "partner"


def size_class(population: int | None) -> int | None:
    if population is None:
        return None
    return sum(population >= limit for limit in SIZE_CLASSES)


def score_pair(german: Candidate, partner: Candidate) -> Pair:
    """Score one pair and say why, with the proposed lighthouse per shared topic."""
    lighthouses, german_leads, partner_leads = {}, 0, 0
    for slug, role in german.topics.items():
        other = partner.topics.get(slug)
        if role == LIGHTHOUSE and other == FOLLOWER:
            lighthouses[slug], german_leads = "german", german_leads + 1
        elif role == FOLLOWER and other == LIGHTHOUSE:
            lighthouses[slug], partner_leads = "partner", partner_leads + 1
    sizes = size_class(german.population), size_class(partner.population)
    breakdown = {
        "german_leads": german_leads * TOPIC_POINTS,
        "partner_leads": partner_leads * TOPIC_POINTS,
        "language": LANGUAGE_POINTS if german.languages & partner.languages else 0,
        "size": SIZE_POINTS if None not in sizes and abs(sizes[0] - sizes[1]) <= 1 else 0,
        "country": COUNTRY_POINTS if partner.country in german.preferred_countries else 0,
    }
    return Pair(german, partner, sum(breakdown.values()), breakdown, lighthouses)


def _masks(candidates, attribute, index):
    import numpy as np

    return np.array([sum(1 << index[v] for v in getattr(c, attribute)) for c in candidates],
                    dtype=np.uint64)


def score_matrix(germans: list[Candidate], partners: list[Candidate]):
    """Every pair's score at once; the same points as ``score_pair``."""
    import numpy as np

    def roles(candidates, role):
        return [frozenset(t for t, r in c.topics.items() if r == role) for c in candidates]

    topics = {t for c in germans + partners for t in c.topics}
    languages = {lang for c in germans + partners for lang in c.languages}
    countries = {c.country for c in partners} | {x for g in germans
                                                  for x in g.preferred_countries}
    if max(len(topics), len(languages), len(countries)) > 64:
        raise ValueError("The pairing assistant handles at most 64 topics, languages, countries.")
    t_index = {t: i for i, t in enumerate(sorted(topics))}
    l_index = {lang: i for i, lang in enumerate(sorted(languages))}
    c_index = {c: i for i, c in enumerate(sorted(countries))}

    def topic_masks(candidates, role):
        return np.array([sum(1 << t_index[t] for t in ts) for ts in roles(candidates, role)],
                        dtype=np.uint64)

    g_light, g_follow = topic_masks(germans, LIGHTHOUSE), topic_masks(germans, FOLLOWER)
    p_light, p_follow = topic_masks(partners, LIGHTHOUSE), topic_masks(partners, FOLLOWER)
    complement = (np.bitwise_count(g_light[:, None] & p_follow[None, :]).astype(np.int64)
                  + np.bitwise_count(g_follow[:, None] & p_light[None, :]))
    shared = (_masks(germans, "languages", l_index)[:, None]
              & _masks(partners, "languages", l_index)[None, :]) != 0
    g_size = np.array([-9 if size_class(c.population) is None else size_class(c.population)
                       for c in germans])
    p_size = np.array([-99 if size_class(c.population) is None else size_class(c.population)
                       for c in partners])
    similar = np.abs(g_size[:, None] - p_size[None, :]) <= 1
    preferred = (_masks(germans, "preferred_countries", c_index)[:, None]
                 & np.array([1 << c_index[p.country] for p in partners],
                            dtype=np.uint64)[None, :]) != 0
    return (TOPIC_POINTS * complement + LANGUAGE_POINTS * shared + SIZE_POINTS * similar
            + COUNTRY_POINTS * preferred)


def _top_per_row(scores, k):
    """A mask of each row's k highest positive entries."""
    import numpy as np

    keep = np.zeros(scores.shape, dtype=bool)
    if scores.shape[1] <= k:
        keep[:] = True
    else:
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        np.put_along_axis(keep, top, True, axis=1)
    return keep & (scores > 0)


def best_pairs(germans: list[Candidate], partners: list[Candidate], k: int,
               excluded: set = frozenset(), required: set = frozenset()) -> list[Pair]:
    """The at most ``k`` pairs with the highest total score. ``excluded`` and ``required``
    hold (german key, partner key) pairs staff ruled out or insist on; the required ones
    come first and the rest is planned around them. Pairs scoring nothing are not proposed.
    """
    by_key = {c.key: c for c in germans + partners}
    fixed = [score_pair(by_key[g], by_key[p]) for g, p in sorted(required, key=str)
             if g in by_key and p in by_key][:max(k, 0)]
    taken = {pair.german.key for pair in fixed} | {pair.partner.key for pair in fixed}
    rest = _best_free_pairs([g for g in germans if g.key not in taken],
                            [p for p in partners if p.key not in taken], k - len(fixed),
                            excluded)
    return fixed + rest


def _best_free_pairs(germans, partners, k, excluded):
    import networkx as nx
    import numpy as np

    k = min(k, len(germans), len(partners))
    if k <= 0:
        return []
    scores = score_matrix(germans, partners)
    g_at = {g.key: i for i, g in enumerate(germans)}
    p_at = {p.key: j for j, p in enumerate(partners)}
    for g_key, p_key in excluded:
        if g_key in g_at and p_key in p_at:
            scores[g_at[g_key], p_at[p_key]] = 0
    rows = _top_per_row(scores, k)                                          # step 1
    kept = np.where(rows, scores, 0)
    both = rows & _top_per_row(kept.T, k).T                                 # step 2
    edges = np.argwhere(both)
    weights = scores[both]
    heaviest = np.argsort(-weights, kind="stable")[:2 * k * (k - 1) + 1]    # step 3
    graph = nx.DiGraph()
    graph.add_node("source", demand=-k)
    graph.add_node("sink", demand=k)
    # "skip" lets the flow reach k even when fewer than k positive pairs exist.
    graph.add_edge("source", "skip", capacity=k, weight=0)
    graph.add_edge("skip", "sink", capacity=k, weight=0)
    for index in heaviest:
        i, j = (int(x) for x in edges[index])
        graph.add_edge("source", ("g", i), capacity=1, weight=0)
        graph.add_edge(("g", i), ("p", j), capacity=1, weight=-int(weights[index]))
        graph.add_edge(("p", j), "sink", capacity=1, weight=0)
    flow = nx.min_cost_flow(graph)
    chosen = []
    for node, targets in flow.items():
        if isinstance(node, tuple) and node[0] == "g":
            for target, amount in targets.items():
                if amount and isinstance(target, tuple):
                    chosen.append(score_pair(germans[node[1]], partners[target[1]]))
    return sorted(chosen, key=lambda pair: (-pair.score, pair.german.name))
