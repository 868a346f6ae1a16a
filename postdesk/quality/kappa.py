"""Fleiss' kappa (Fleiss 1971), pure: agreement of several raters over categorical answers.

`counts[i][j]` = how many raters put subject i in category j; every subject has the same
number of raters n >= 2. P_i = (sum_j c_ij^2 - n) / (n (n - 1)); P = mean P_i;
p_j = sum_i c_ij / (N n); Pe = sum_j p_j^2; kappa = (P - Pe) / (1 - Pe). When Pe = 1 (every
answer in one category) agreement is perfect and kappa is defined here as 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence


def fleiss_kappa(counts: Sequence[Sequence[int]]) -> float | None:
    """None when there is nothing to measure (no subjects, or fewer than two raters)."""
    if not counts:
        return None
    n = sum(counts[0])
    if n < 2 or any(sum(row) != n for row in counts):
        return None
    subjects = len(counts)
    categories = len(counts[0])
    p_bar = sum((sum(c * c for c in row) - n) / (n * (n - 1)) for row in counts) / subjects
    p_j = [sum(row[j] for row in counts) / (subjects * n) for j in range(categories)]
    p_e = sum(p * p for p in p_j)
    if p_e >= 1:
        return 1.0
    return (p_bar - p_e) / (1 - p_e)


def counts_from_ratings(ratings: Sequence[Sequence[Hashable]]) -> list[list[int]]:
    """ratings[i] = the answers the raters gave subject i -> the count table."""
    categories = sorted({repr(a) for row in ratings for a in row})
    table = []
    for row in ratings:
        c = Counter(repr(a) for a in row)
        table.append([c.get(cat, 0) for cat in categories])
    return table
