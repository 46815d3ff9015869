"""The cost of judging the 15-minute circle with both ends' radii on the ranking hot path.

    python -m benchmarks.commute_radius_bench [--n 20000] [--repeats 15]

Random points over central Shanghai (fixed seed), half at 街道 precision (2 km) and half at station
precision (0.8 km), one exact query. Times, interleaved in one run, `_travel` (the vectorised
`estimate_many` and distances every match already pays) and `proximity_minutes` (the radii and
`circle_many`, added for issue 11 item 3), and prints the medians with the load average.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

from matcher.geo.commute import MetroCommute
from matcher.ranking import pipeline
from matcher.types import Direction, Side


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    candidates = [Side(id=i + 1, point=(31.1 + rng.random() * 0.3, 121.3 + rng.random() * 0.4), approximate_point=True,
                       radius_km=2.0 if i % 2 else 0.8) for i in range(args.n)]
    query, commute = Side(id=0, point=(31.2806, 121.4903), radius_km=0.05), MetroCommute()
    minutes, _, km, _ = pipeline._travel(Direction.JOBS, query, candidates, commute)
    travel, judged = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        pipeline._travel(Direction.JOBS, query, candidates, commute)
        travel.append(time.perf_counter() - start)
        start = time.perf_counter()
        pipeline.proximity_minutes(query, candidates, minutes, km, commute)
        judged.append(time.perf_counter() - start)
    out = {"n": args.n, "travel_ms": round(float(np.median(travel)) * 1000, 1),
           "radius_judgement_ms": round(float(np.median(judged)) * 1000, 1), "load1": os.getloadavg()[0]}
    print(out)
    return out


if __name__ == "__main__":
    main()
