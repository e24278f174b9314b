"""Average-linkage agglomeration over groups, some of them fixed (existing stories).

The caller hands in group-level figures (pair-similarity sums and minima between groups) rather than
the member-by-member matrix, so existing stories cost one row per story, not one per member.
"""

from __future__ import annotations

import numpy as np


def link_groups(total: np.ndarray, worst: np.ndarray, count: np.ndarray, first: np.ndarray,
                last: np.ndarray, n_fixed: int, window: float, join: float, min_link: float) -> list[int]:
    """The final group of every initial group. `total[i, j]` / `worst[i, j]` are the sum and the
    minimum of the pair similarities between groups i and j, `count` their sizes, `first` / `last`
    their date spans (seconds, NaN when undated). The first `n_fixed` groups are existing stories:
    they may absorb others but never merge with each other (so their mutual entries are never read;
    each keeps its own index). Two groups merge, best pair first, while their average pair similarity
    is >= `join`, their worst pair >= `min_link`, and their spans lie within `window` of each other.
    The arrays are updated in place."""
    n = len(count)
    fixed = np.arange(n) < n_fixed
    alive = np.ones(n, dtype=bool)

    def row(i: int) -> np.ndarray:
        score = total[i] / (count[i] * count)
        gap = np.maximum(first - last[i], first[i] - last)
        bad = ~alive | (worst[i] < min_link) | (gap > window) | (fixed & fixed[i])
        bad[i] = True
        return np.where(bad, -np.inf, score)

    scores = np.stack([row(i) for i in range(n)]) if n else np.zeros((0, 0))
    parent = np.arange(n)
    while scores.size:
        best = int(np.argmax(scores))
        i, j = divmod(best, n)
        if scores[i, j] < join:
            break
        keep, gone = (j, i) if fixed[j] or (not fixed[i] and j < i) else (i, j)
        total[keep] += total[gone]
        total[:, keep] += total[:, gone]
        worst[keep] = np.minimum(worst[keep], worst[gone])
        worst[:, keep] = worst[keep]
        count[keep] += count[gone]
        first[keep] = np.fmin(first[keep], first[gone])
        last[keep] = np.fmax(last[keep], last[gone])
        fixed[keep] |= fixed[gone]
        alive[gone] = False
        parent[parent == gone] = keep
        scores[gone] = -np.inf
        scores[:, gone] = -np.inf
        scores[keep] = row(keep)
        scores[:, keep] = scores[keep]
    return [int(g) for g in parent]
