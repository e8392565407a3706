"""How `kac run` uses Python's garbage collector.

A month's run allocates millions of short-lived objects (WeasyPrint's boxes and styles, rows
turned into dicts) beside a large heap of long-lived ones (Dagster, pandas, the definitions).
With Python's default thresholds a collection starts every 700 allocations and the oldest
generation, that whole heap, is rescanned again and again. Nothing in the product relies on
prompt collection of cycles (files are closed by `with`), so collections are made rarer and the
heap loaded so far is left out of them.
"""

from __future__ import annotations

import gc

# (generation 0, 1, 2): a young collection every 50,000 allocations instead of 700; the old
# generation scanned after 20 × 100 young ones.
GC_THRESHOLDS = (50_000, 20, 100)


def settle_heap() -> None:
    """Leave what is loaded now (modules, definitions) out of every later collection, and
    collect less often. Called once, by `kac run` when it has imported what it works with; its
    helper process collects as often (pipeline.render.pool)."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
