"""The most-mentioned pairs in bounded memory (Space-Saving, Metwally et al. 2005).

Metrics export a gauge per pair only for a configured watch-list plus the current top K, so the number of
Prometheus series stays bounded however many pairs a stream ever mentions.
"""

from __future__ import annotations

import heapq


class TopK:
    """Approximate counts of the heaviest keys; holds at most `capacity` keys (capacity >= k)."""

    def __init__(self, k: int, capacity: int | None = None) -> None:
        self.k = k
        self.capacity = max(capacity or 4 * k, k)
        self.counts: dict[str, int] = {}

    def add(self, key: str, weight: int = 1) -> None:
        if key in self.counts or len(self.counts) < self.capacity:
            self.counts[key] = self.counts.get(key, 0) + weight
            return
        smallest = min(self.counts, key=self.counts.__getitem__)  # capacity is small; a heap buys little here
        floor = self.counts.pop(smallest)
        self.counts[key] = floor + weight

    def top(self) -> list[str]:
        return [key for _, key in heapq.nlargest(self.k, ((count, key) for key, count in self.counts.items()))]
