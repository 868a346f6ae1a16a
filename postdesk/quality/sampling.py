"""Monthly sampling of items to inspect, pure: which calls / work orders to evaluate.

The items that must be inspected (calls of dissatisfied follow-ups, complaints reopened) are
always taken, even beyond the quota; the rest of the quota is filled at random from the other
candidates, reproducibly from a seed (the same month and seed choose the same items).
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Sequence
from typing import TypeVar

T = TypeVar("T", bound=Hashable)


def choose(
    candidates: Sequence[T], *, quota: int, always: Sequence[T] = (), seed: str = ""
) -> list[T]:
    """`always` first (in their order, once each), then random others up to `quota`."""
    chosen: list[T] = []
    for item in always:
        if item not in chosen:
            chosen.append(item)
    rest = [c for c in candidates if c not in set(chosen)]
    room = max(0, quota - len(chosen))
    rng = random.Random(seed)
    chosen.extend(rng.sample(rest, min(room, len(rest))))
    return chosen
