"""Pseudo-relevance feedback: the words the best matches of a query share, searched too, weighted down.

A buyer names a need in the words of the day (월급 계산); one service says so, others describe the same
service in their own words (급여, 연말정산, 4대보험). The services ranked first for a query are read as
its description: the words that several of them hold in their name, keywords, features or summary, and
that are rare in the catalog, become optional concepts of the query (`expansion`), and a second ranking
(`index.text_relevance`) finds the services that use those words and not the query's. Each such concept
weighs `WEIGHT` at most, well below a word of the query; a service holding none of the query's words
matches only when it holds `MIN_HELD` of them, and is placed among the first ranking by its score there
(`merged`): the services the query's own words found keep their places and scores, since on the dev
sample letting the feedback words re-rank them too lowered nDCG@10 (0.894 to 0.890).
``DM_SEARCH_OFF=feedback`` switches it off (`settings.py`).
"""

from __future__ import annotations

import math

import numpy as np
from sqlalchemy.orm import Session

from .analyzer import Concept

DOCUMENTS = 3  # the best matches read
TERMS = 8  # the words taken from them at most
WEIGHT = 0.2  # the weight of the best of those words, the others in proportion
MIN_DOCUMENTS = 2  # a word must be held by at least this many of the best matches
MIN_HELD = 2  # a service matching none of the query's words must hold this many of the words
COMMON = 0.15  # a word held by more than this share of the catalog (and DOCUMENTS + 1) says nothing
FIELDS = ("name", "keywords", "features", "summary")
ENOUGH = 20  # as many services holding every concept of the query: the words find enough, no feedback
RERANK = 20  # the services only the feedback finds that are scored exactly (the rest by their pre-score)
FIELD_WEIGHTS = (1.0, 1.0, 1.0, 0.5)  # a word of the summary counts half: it is often no more than prose


def expansion(session: Session, concepts: list[Concept], order: np.ndarray, scores: np.ndarray, known, vocabulary):
    """The optional concepts of the words the query's best matches share (see the module docstring);
    ``order`` and ``scores`` are the first ranking, ``vocabulary`` answers ``frequency(word)``."""
    best = order[:DOCUMENTS]
    if len(best) < MIN_DOCUMENTS:
        return []
    ids = [int(known.columns.ids[p]) for p in best]
    share = dict(zip(ids, (scores[: len(best)] / max(float(scores[: len(best)].sum()), 1e-9)).tolist(), strict=True))
    own = {word for concept in concepts for phrase, _ in concept.alternatives for word in phrase.split()}
    own |= {phrase.replace(" ", "") for concept in concepts for phrase, _ in concept.alternatives}
    total = max(known.indexed, 1)
    weight: dict[str, float] = {}
    holders: dict[str, int] = {}
    rows = known.index_rows(session, sorted(ids))
    for service_id, row in rows.items():
        strength: dict[str, float] = {}  # each word's strongest field in this service
        for field_weight, value in zip(FIELD_WEIGHTS, (row.fields[f] for f in FIELDS), strict=True):
            for word in value.split():
                strength[word] = max(strength.get(word, 0.0), field_weight)
        for word, field_weight in strength.items():
            if len(word) < 2 or word.isdigit() or word in own:
                continue
            frequency = vocabulary.frequency(word)
            if not frequency or frequency > max(COMMON * total, DOCUMENTS + 1):
                continue
            holders[word] = holders.get(word, 0) + 1
            weight[word] = weight.get(word, 0.0) + share[service_id] * field_weight * math.log(total / frequency)
    shared = (w for w in weight if holders[w] >= MIN_DOCUMENTS and weight[w] > 0)
    chosen = sorted(shared, key=lambda w: (-weight[w], w))[:TERMS]
    if not chosen:
        return []
    top = weight[chosen[0]]
    return [Concept(word, [(word, 1.0)], weight=WEIGHT * weight[word] / top, optional=True) for word in chosen]


def merged(order: np.ndarray, scores: np.ndarray, fresh: np.ndarray, rescored: np.ndarray):
    """The first ranking with the services only the feedback found (``fresh``, scored in the second
    ranking) placed among them by score: a service the query's own words found keeps its place and score."""
    if not len(fresh):
        return order, scores
    both = np.concatenate([order, fresh])
    both_scores = np.concatenate([scores, rescored])
    best_first = np.argsort(-both_scores, kind="stable")
    return both[best_first], both_scores[best_first]
