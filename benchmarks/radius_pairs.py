"""How many commute answers in the demo data give figures rather than 无法判断, with each row's own radius
(`location_radius_km`, migration 0009) and, as before it, with its precision's default radius.

    python -m benchmarks.radius_pairs [--nearby-km 3] [--json]

Seeds the Hongkou demo set (`cli.main.seed_demo`, hashing encoder: vectors play no part here) into a
temporary directory, then judges, with the one commute rule (`matcher.geo.commute.circle_many` and
COARSE_RADIUS_KM, as `claimed`/`judge` do):
- nearby pairs: every demo seeker's home as a /nearby origin (its resolver radius, the same before and
  after) to every posting, station, open training and event within `--nearby-km` of it (straight line
  between the stored points, as /nearby filters); the row's radius is its own (after) or its
  precision's default (before);
- match pairs: every seeker and posting (both rows stored: both radii own, or both defaults).
Each answer is one of: `no_figures` (无法判断: an end coarse, or both radii together over 3 km),
`open` (figures -- a point figure or a bound and a range -- but the 15-minute circle left open) and
`verdict` (figures and a yes/no on the circle). `range` counts the answers with figures whose two
circles overlap (shown as 相距不超过约X公里，通勤约A-B分钟).
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import numpy as np
from sqlalchemy import select

from matcher.geo import geo
from matcher.geo.commute import MetroCommute, circle_many
from matcher.geo.places import is_coarse, stored_radius_km



def _rows(service) -> dict[str, list[tuple]]:
    """(lat, lon, precision, own radius) per located row, by table."""
    from data.activity_tables import Event, Training
    from data.schema import Posting, Seeker, Station

    out = {}
    with service.db.session() as session:
        for name, table, where in (("seekers", Seeker, None), ("postings", Posting, Posting.status == "open"),
                                   ("stations", Station, None), ("trainings", Training, Training.status == "open"),
                                   ("events", Event, Event.status == "open")):
            query = select(table.lat, table.lon, table.location_precision, table.location_radius_km) \
                .where(table.lat.is_not(None), table.lon.is_not(None))
            out[name] = list(session.execute(query if where is None else query.where(where)).all())
    return out


def _judge(origin_radius: float, origin_coarse: bool, dest: list[tuple], minutes: np.ndarray, km: np.ndarray,
           own: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per pair: the kind (index into KINDS) and whether figures are a bound and a range."""
    radius = np.array([stored_radius_km(p, r if own else None) for _, _, p, r in dest]) + origin_radius
    coarse = np.array([origin_coarse or is_coarse(p) for _, _, p, _ in dest]) | (radius > geo.COARSE_RADIUS_KM) \
        | np.isnan(minutes)
    circle, _, _ = circle_many(km, minutes, radius)
    inside = np.where(np.isnan(circle), 0, circle)
    kinds = np.where(coarse, 0, np.where(np.isnan(circle), 1, 2 + inside.astype(int)))  # 2: outside, 3: inside
    return kinds, (~coarse) & (km < radius)


def _summary(before: np.ndarray, after: np.ndarray, ranged_before, ranged_after) -> dict:
    out = {"pairs": int(len(before))}
    for mode, kinds, ranged in (("before", before, ranged_before), ("after", after, ranged_after)):
        counts = {"no_figures": int((kinds == 0).sum()), "open": int((kinds == 1).sum()),
                  "verdict": int((kinds >= 2).sum()), "within_15min": int((kinds == 3).sum()),
                  "range": int(ranged.sum())}
        counts["figures_share"] = round(1 - counts["no_figures"] / len(kinds), 4) if len(kinds) else None
        out[mode] = counts
    out["gained_figures"] = int(((before == 0) & (after > 0)).sum())
    out["lost_figures"] = int(((before > 0) & (after == 0)).sum())  # the default under-stated the radius
    out["within_claim_withdrawn"] = int(((before == 3) & (after != 3)).sum())  # a default over-claimed
    out["within_claim_added"] = int(((before != 3) & (after == 3)).sum())
    return out


def measure(service, nearby_km: float = 3.0) -> dict:
    rows, commute = _rows(service), MetroCommute()
    targets = [r for name in ("postings", "stations", "trainings", "events") for r in rows[name]]
    target_points = np.array([(r[0], r[1]) for r in targets])
    posting_points = np.array([(r[0], r[1]) for r in rows["postings"]])
    parts: dict[str, list] = {key: [] for key in ("nearby", "match", "nearby_street", "match_street")}
    for lat, lon, precision, radius in rows["seekers"]:
        origin, coarse = (lat, lon), is_coarse(precision)
        own = stored_radius_km(precision, radius)
        km = geo.haversine_km_many(lat, lon, target_points[:, 0], target_points[:, 1])
        near = np.flatnonzero(km <= nearby_km)
        dest = [targets[i] for i in near]
        minutes, _ = commute.estimate_many(origin, target_points[near])
        judged = [_judge(own, coarse, dest, minutes, km[near], own=mode) for mode in (False, True)]
        street = np.array([precision == "street" and d[2] == "street" for d in dest], bool)
        parts["nearby"].append((*judged[0], *judged[1], np.ones(len(dest), bool)))
        parts["nearby_street"].append((*judged[0], *judged[1], street))
        km = geo.haversine_km_many(lat, lon, posting_points[:, 0], posting_points[:, 1])
        minutes, _ = commute.estimate_many(origin, posting_points)
        judged = [_judge(own if mode else stored_radius_km(precision), coarse, rows["postings"], minutes, km, own=mode)
                  for mode in (False, True)]
        street = np.array([precision == "street" and d[2] == "street" for d in rows["postings"]], bool)
        parts["match"].append((*judged[0], *judged[1], np.ones(len(rows["postings"]), bool)))
        parts["match_street"].append((*judged[0], *judged[1], street))
    out = {"nearby_km": nearby_km, "seekers": len(rows["seekers"]), "load1": round(os.getloadavg()[0], 2)}
    for key, chunks in parts.items():
        kb, rb, ka, ra, keep = (np.concatenate([c[i] for c in chunks]) for i in range(5))
        out[key] = _summary(kb[keep], ka[keep], rb[keep], ra[keep])
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nearby-km", type=float, default=3.0)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    from cli.main import seed_demo
    from matcher.service import JobCircle
    from matcher.settings import Settings
    from models.encoder import HashingEncoder

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "jobcircle", encoder="hashing-256", refresh_interval_s=0.0,
                            occupation_coding=False)
        service = JobCircle(settings, HashingEncoder(256)).start()
        try:
            seed_demo(service, progress=False)
            out = measure(service, args.nearby_km)
        finally:
            service.stop()
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return out
    print(f"demo data: {out['seekers']} seekers; nearby pairs within {out['nearby_km']:g} km; load1 {out['load1']}")
    print(f"{'pairs':<22}{'n':>8}{'无法判断':>10}{'open':>8}{'verdict':>9}{'figures':>9}{'range':>8}")
    labels = {"nearby": "nearby", "nearby_street": "nearby 街道-街道", "match": "match",
              "match_street": "match 街道-街道"}
    for key, label in labels.items():
        row = out[key]
        for mode in ("before", "after"):
            r = row[mode]
            print(f"{label + ' ' + mode:<22}{row['pairs']:>8}{r['no_figures']:>12}{r['open']:>8}{r['verdict']:>9}"
                  f"{r['figures_share']:>9.1%}{r['range']:>8}")
        print(f"{'':<22}gained figures {row['gained_figures']}, lost figures {row['lost_figures']} "
              f"(default too tight), 15-minute claims withdrawn {row['within_claim_withdrawn']}, "
              f"added {row['within_claim_added']}")
    return out


if __name__ == "__main__":
    main()
