"""A settled process (`core.collector.settle`, as a served worker after its warm-up) keeps what it loaded out
of the garbage collector's sight, and still frees the reference cycles its requests leave behind.

Run in a fresh interpreter: settling changes the whole process's collector, the test process's included."""

import json
import subprocess
import sys
import textwrap

from digitalmarket.core import collector

PROGRAM = textwrap.dedent(
    """
    import gc, json, weakref
    from digitalmarket.core import collector

    class Node:
        'One end of a reference cycle.'

    def cycle():
        a, b = Node(), Node()
        a.other, b.other = b, a
        return weakref.ref(a)

    kept = [cycle() for _ in range(3)]  # loaded before: held for the process's life
    held = [r() for r in kept]
    collector.settle()
    dropped = cycle()  # a request's garbage: a cycle nobody refers to any more
    junk = [[n] for n in range(100_000)]  # the allocations of later requests
    del junk
    print(json.dumps({
        "frozen": gc.get_freeze_count(),
        "thresholds": gc.get_threshold(),
        "dropped_freed": dropped() is None,
        "held_alive": all(r() is not None for r in kept),
    }))
    """
)


def test_a_settled_process_walks_only_new_objects_and_still_frees_dropped_cycles():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(done.stdout)
    assert seen["frozen"] > 1000  # the interpreter's and the platform's modules, out of the collector's sight
    assert tuple(seen["thresholds"]) == collector.THRESHOLDS
    assert seen["dropped_freed"], "a cycle dropped after settling must still be freed"
    assert seen["held_alive"]
