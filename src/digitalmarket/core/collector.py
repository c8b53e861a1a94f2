"""How a long-running process of the platform (a served worker) sets Python's cyclic garbage collector.

Python's collector looks for reference cycles among the objects a process allocated. With its defaults
(a first-generation collection every 700 allocations more than frees, a full collection when the objects
that outlived two collections have grown by a quarter) a served worker spent about a tenth of its CPU in
it, at both ends:

- *Full collections* walk every object the process holds: the Korean analyzer, the search facts of a
  10,000-service catalog, the routes, the templates, some 400,000 objects in all, about 0.1 to 0.16 s a
  collection, every few seconds under load, as the search's caches grow.
- *Young collections* ran some 100 times a second: a request through the ORM allocates thousands of
  objects, most of them freed by their reference counts a moment later.

`settle` is called once a process has loaded what it keeps for its lifetime (a served worker, after its
warm-up): it moves every object alive then out of the collector's sight (``gc.freeze``; they are never
walked again, and a cycle among them that is dropped later is never freed, which these long-lived
objects do not do), and makes young collections rarer (`THRESHOLDS`), so that more of a request's objects
are freed by their reference counts before a collection looks at them. Cycles made after it are found as
before: the ORM's sessions and their objects, kept caches that are dropped.

Measured in docs/performance.md ("The garbage collector").
"""

from __future__ import annotations

import gc

#: (young, middle, old): a young collection every 20,000 allocations more than frees (Python's default is
#: 700), a middle one every 10 young ones and an old one every 10 middle ones, as by default.
THRESHOLDS = (20_000, 10, 10)


def settle() -> None:
    """Collect once, put every object alive out of the collector's sight, and collect young objects less
    often (`THRESHOLDS`). Called once the process holds what it keeps for its lifetime."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
