"""Scoring the services that match a query's concepts: which services match (`_matching`), a cheap
pre-score over arrays for all of them, exact bm25 over the weighted fields for the best `RERANK`, and the
coverage of the query's distinctive concepts (`coverage`), which keeps a service that holds one common
word of the query (클라우드) below those that hold what the query is about (보안관제). See docs/search.md
"How they are ranked"."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from . import analyzer, feedback
from .facts import Facts

FIELDS = ("name", "keywords", "features", "category", "summary", "description", "supplier")
K1, B = 1.2, 0.75
RERANK = 100  # candidates scored exactly; the rest follow in the order of their pre-score
FOCUSED_MIN = 10  # fewer focused matches than this: return every loose match
COVERAGE = 1.0  # the exponent of a service's coverage of the query's concepts, which multiplies its score
COVERAGE_FLOOR = 0.1


def ranked(
    session, concepts, matches, known: Facts, pieces, also=(), besides=(), rerank: int = RERANK
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The matching services (`_matching`, and those holding `feedback.MIN_HELD` of the concepts
    ``also``, those at the positions ``besides`` left out) with their relevance, best first: the
    pre-score orders every match, the best ``rerank`` are scored exactly (`_bm25`), the rest follow below
    them in pre-score order; and the positions of those that hold every concept of the query (but those
    of ``also``), None when the query has no concept a service must hold.

    Only the *candidates*, the services holding one of the phrases looked up, can match: every array
    below is over them alone (in code order, as positions are), not over the whole catalog, and holds
    for each the same value an array over the catalog would."""
    columns = known.columns
    total = known.indexed
    idf = {p: max(1e-6, math.log((total - held.df + 0.5) / (held.df + 0.5))) for p, held in matches.items()}
    slot = np.zeros(columns.size, dtype=np.int64)  # a candidate's index among the candidates
    for posting in matches.values():
        slot[posting.positions] = 1
    candidates = np.flatnonzero(slot)
    size = len(candidates)
    slot[candidates] = np.arange(size)
    at = {p: slot[held.positions] for p, held in matches.items() if len(held.positions)}  # indices of holders
    held = {p: _mask(size, indices) for p, indices in at.items()}
    concepts = _parts_standing_in(concepts, held, also)
    expanded = {id(c) for c in also}
    pool = _matching([c for c in concepts if id(c) not in expanded], at, size, focus=pieces.focus)
    if also:  # the services only the feedback finds: those the first ranking (``besides``) did not
        holding = [_holding(c, at, size) for c in also]
        pool = pool | (np.sum(holding, axis=0) >= feedback.MIN_HELD)
        pool[np.isin(candidates, besides)] = False
    name_weight = analyzer.FIELD_WEIGHTS["name"] if pieces.names else 1.0
    # each concept's best phrase at each of its holders, for every (concept, phrase) pair at once: the
    # strength of what it holds (a synonym says it all, a broader word not) and the pre-score's value, in
    # one row of ``size`` for each concept
    pairs = [(k, p, weight) for k, c in enumerate(concepts) for p, weight in c.alternatives if p in at]
    best, strength = np.zeros(len(concepts) * size), np.zeros(len(concepts) * size)
    if pairs:
        counts = [len(at[p]) for _, p, _ in pairs]
        cells = np.repeat([k * size for k, _, _ in pairs], counts) + np.concatenate([at[p] for _, p, _ in pairs])
        np.maximum.at(strength, cells, np.repeat([1.0 if w > analyzer.PART_WEIGHT else w for *_, w in pairs], counts))
        base = np.repeat([weight * idf[p] for _, p, weight in pairs], counts)
        named = np.concatenate([matches[p].named for _, p, _ in pairs])
        np.maximum.at(best, cells, np.where(named, base * name_weight, base))
    pre = np.zeros(size)
    holds: dict[int, np.ndarray] = {}
    for k, concept in enumerate(concepts):
        pre += concept.weight * best[k * size : (k + 1) * size]
        holds[id(concept)] = strength[k * size : (k + 1) * size]
    covered, wanted = _covered([c for c in concepts if id(c) not in expanded], holds, idf, held, size)
    factor = _coverage(covered, wanted) if pieces.coverage else np.ones(size)
    complete = candidates[pool & (covered >= wanted * 0.999)] if wanted > 0 else None
    pre *= factor
    matched = np.flatnonzero(pool)
    ordered = matched[np.argsort(-pre[matched], kind="stable")]  # ties by code: candidates are in code order
    exact = _bm25(session, concepts, idf, known, held, candidates, ordered[:rerank])
    top = ordered[:rerank][exact > 0]
    top_scores = exact[exact > 0] * factor[top]
    best_first = np.lexsort((top, -top_scores))  # ties by code
    order, scores = top[best_first], top_scores[best_first]
    rest = ordered[rerank:]
    if len(rest):  # below every exact score, in pre-score order
        floor = float(top_scores.min()) if len(top_scores) else 1.0
        ceiling = float(pre[rest[0]]) or 1.0
        order = np.concatenate([order, rest])
        scores = np.concatenate([scores, floor * 0.999 * pre[rest] / ceiling])
    return candidates[order], scores, complete


def _mask(size: int, at: np.ndarray) -> np.ndarray:
    """Mask of ``size`` values, true at the indices ``at``."""
    out = np.zeros(size, dtype=bool)
    out[at] = True
    return out


def _parts_standing_in(concepts, held, also=()) -> list:
    """The concepts, with the optional words of a several-word concept that no service holds (홈페이지
    구축, when the catalog says 홈페이지 and 구축 apart, or that was dropped as found nowhere) made
    concepts of their own: the query is then about those words, the rarer counting more by its idf,
    not only about whatever else it asks for. The feedback's words (``also``) stay as they are."""
    feedback_words = {id(c) for c in also}
    standing = {
        word
        for c in concepts
        if not c.optional and c.alternatives and any(p in held for p, _ in c.alternatives)
        for word in c.alternatives[0][0].split()
    }
    return [
        replace(c, weight=1.0, optional=False)
        if c.optional and id(c) not in feedback_words and c.text not in standing
        else c
        for c in concepts
    ]


def _covered(concepts, holds: dict[int, np.ndarray], idf, held, size: int) -> tuple[np.ndarray, float]:
    """How much of what the query is about each service holds, and the most it could: each concept of the
    query (not its optional parts) counts its rarest held phrase's idf (보안관제 counts more than
    클라우드); a service holding it as written or through a synonym counts all of it, one holding only a
    broader word (관제 for 보안관제, weight `analyzer.PART_WEIGHT`) that weight of it, or, when more, the share
    of the concept's words it holds (the optional part concepts)."""
    parts = {c.text: holds[id(c)] > 0 for c in concepts if c.optional}
    covered, wanted = np.zeros(size), 0.0
    for concept in concepts:
        if concept.optional:
            continue
        words = [word for word in concept.alternatives[0][0].split() if word in parts] if concept.alternatives else []
        rarest = [idf[p] for p, _ in concept.alternatives if p in held] or [idf[w] for w in words if w in held]
        distinct = concept.weight * max(rarest, default=0.0)
        share = np.mean([parts[word] for word in words], axis=0) if words else np.zeros(size)
        covered += distinct * np.maximum(np.minimum(holds[id(concept)], 1.0), share)
        wanted += distinct
    return covered, wanted


def _coverage(covered: np.ndarray, wanted: float) -> np.ndarray:
    """Each service's share of what the query is about (`_covered`), raised to `COVERAGE`, at least
    `COVERAGE_FLOOR` (a service the feedback found covers none of the words)."""
    if wanted <= 0:
        return np.ones(len(covered))
    return np.maximum(covered / wanted, COVERAGE_FLOOR) ** COVERAGE


def _matching(concepts, at: dict[str, np.ndarray], size: int, *, focus: bool = True) -> np.ndarray:
    """Mask of the published services a query returns: those holding most of its concepts (all of one
    or two, two of three, three of four ...), or, when fewer than `FOCUSED_MIN` do, every service
    holding any of its phrases. A precise query gets a focused list; a vague or rare one still finds
    something. ``at``: each phrase's holders, as indices of the candidates."""
    holders = [_holding(concept, at, size) for concept in concepts]
    loose = np.logical_or.reduce(holders) if holders else np.zeros(size, dtype=bool)
    required = [mask for mask, concept in zip(holders, concepts, strict=True) if not concept.optional]
    need = len(required) - len(required) // 3
    if need <= 0 or not focus:
        return loose
    focused = np.sum(required, axis=0) >= need
    return focused if np.count_nonzero(focused) >= FOCUSED_MIN else loose


def _holding(concept, at: dict[str, np.ndarray], size: int) -> np.ndarray:
    """Mask of the candidates holding one of the concept's phrases (``at``: each phrase's holders)."""
    return _mask(size, np.concatenate([at[p] for p, _ in concept.alternatives if p in at] or [_NONE]))


_NONE = np.zeros(0, dtype=np.int64)


def _bm25(session, concepts, idf, known: Facts, held: dict[str, np.ndarray], candidates, chosen) -> np.ndarray:
    """Exact bm25 of some candidates (``chosen``, indices into ``candidates``) over the weighted fields,
    counting only the phrases each one holds (``held``), aligned with ``chosen``: 0 for a service holding
    none of them in any one field (or not indexed). Each field's terms are padded (`index_rows.IndexRow`) so
    that ``str.count`` counts whole terms and phrases. Which service holds which phrase is found for every
    phrase at once, and every (phrase, service) pair is scored in one pass: a query and its synonyms look up
    about 30 phrases, and a dozen array operations for each cost more than the arithmetic (5 % of a new
    question, docs/search.md "Speed"). The sums run in the order of the concepts, each service's the same as a
    sum of its own would be."""
    scores = np.zeros(len(chosen))
    if not len(chosen):
        return scores
    ids = known.columns.ids[candidates[chosen]]
    found = known.index_rows(session, ids.tolist())
    rows = list(map(found.get, ids.tolist()))
    indexed = np.array([row is not None for row in rows], dtype=bool)
    lengths = np.array([row.length if row is not None else 0 for row in rows], dtype=np.int64)
    norm = K1 * (1 - B + B * lengths / known.average_length)
    weights = tuple(analyzer.FIELD_WEIGHTS[f] for f in FIELDS)
    looked = [(k, p, weight) for k, c in enumerate(concepts) for p, weight in c.alternatives if p in held]
    if not looked:
        return scores
    # which chosen (indexed) service holds which phrase, for every phrase at once, grouped by phrase
    which, holders = np.nonzero(np.stack([held[phrase][chosen] for _, phrase, _ in looked]) & indexed)
    if not len(holders):
        return scores
    bounds = np.searchsorted(which, np.arange(len(looked) + 1)).tolist()
    tf, base, concept_of = [], [], []
    for n, (k, phrase, weight) in enumerate(looked):
        start, end = bounds[n], bounds[n + 1]
        if start == end:
            continue
        tf += _counts(known, phrase, weights, rows, ids, holders[start:end])  # the others count 0: add nothing
        base += [weight * idf[phrase]] * (end - start)
        concept_of += [k] * (end - start)
    tf_array = np.array(tf)
    best = np.zeros((len(concepts), len(chosen)))  # each concept's best phrase, for each chosen service
    values = np.array(base) * tf_array * (K1 + 1) / (tf_array + norm[holders])
    np.maximum.at(best, (np.array(concept_of), holders), values)
    for k, concept in enumerate(concepts):
        scores += concept.weight * best[k]
    return scores


def _counts(known: Facts, phrase: str, weights, rows, ids: np.ndarray, holders: np.ndarray) -> list[float]:
    """The weighted count of a phrase in the services at ``holders`` (indices into ``rows`` and ``ids``),
    from the facts' memory (`Facts.counted`) or counted in their index rows."""
    counted = known.counted((phrase, weights), 0)
    holder_ids = ids[holders].tolist()
    found = list(map(counted.get, holder_ids))
    if None in found:
        needle = " " + "  ".join(phrase.split()) + " "
        missing = [k for k, value in enumerate(found) if value is None]
        counted = known.counted((phrase, weights), len(missing))
        for k in missing:
            found[k] = counted[holder_ids[k]] = rows[int(holders[k])].weighted_count(needle, FIELDS, weights)
    return found
