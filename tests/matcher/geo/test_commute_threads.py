"""Server threads share one MetroCommute: its growing station-access cache must not be read half-grown."""
from __future__ import annotations

import sys
import threading

import numpy as np

from matcher.geo.commute import MetroCommute


def test_concurrent_lookups_while_the_cache_grows():
    rng = np.random.default_rng(7)
    points = np.column_stack([rng.uniform(31.1, 31.35, 6000), rng.uniform(121.35, 121.6, 6000)])
    expected = np.sort(MetroCommute()._station_rows(points)[0], axis=1)
    errors: list[BaseException] = []
    wrong: list[int] = []

    def worker(commute: MetroCommute, barrier: threading.Barrier, offset: int) -> None:
        try:
            barrier.wait()
            for size in (100, 1500, 3000, 6000):  # each call needs the keyed arrays grown
                keys = np.arange(offset, size, 4)
                near, _ = commute._access(points[keys], keys)
                if not np.array_equal(np.sort(near, axis=1), expected[keys]):
                    wrong.append(size)
        except BaseException as exc:  # noqa: BLE001 - any failure in a thread is the finding
            errors.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as a busy server does, so a race shows
    try:
        for _ in range(40):
            commute, barrier = MetroCommute(), threading.Barrier(4)
            threads = [threading.Thread(target=worker, args=(commute, barrier, n)) for n in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors[:3]
    assert not wrong
