"""Evaluate the place resolver on public Shanghai POI addresses with known points.

    python -m evaluation.places_eval                 # dev and test tables, baselines, bootstrap intervals
    python -m evaluation.places_eval --split test    # one split
    python -m evaluation.places_eval --out DIR       # also write report.md / metrics.json / rows.csv

Data: `evaluation/datasets/places/poi_truth.csv` (built by `build_truth.py` before any resolver ran; see
that folder's README for provenance). Truth 街道 comes from OSM polygons (independent of the resolver's
gazetteer) or, outside the eight central districts, from the nearest neighbourhood committee (shares
data with the gazetteer): both are reported, and separately.

Metrics per method and split:
- street_acc: share of addresses naming a road or place (the parser finds a road, building, station or
  街道) whose resolved 街道 equals the truth (rows without a truth 街道 are left out);
- median_km, p90_km: distance from the resolved point to the true point (unresolved rows excluded,
  their count shown);
- false_claims: rows more than 3 km off while claiming finer than district, as a share of all rows;
- within_radius: share of rows whose error is within the stated radius (are the radii honest?).
Methods: `resolver` (this product), `old_rules` (the previous gazetteer's rules on today's tables:
first 街道 name, else a station name anywhere in the text, else the district; the previous tables --
hand-placed district points and the 2016 stations -- are gone, so this isolates the rules), `district`
(every row at its district's point).
Bootstrap: 1,000 resamples of rows, 95% percentile intervals.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from matcher.geo import resolver
from matcher.geo.address import parse
from matcher.geo.geo import PRECISION_RADIUS_KM, haversine_km

TRUTH = Path(__file__).resolve().parent / "datasets" / "places" / "poi_truth.csv"
FALSE_CLAIM_KM = 3.0
BOOTSTRAP = 1000


def load(split: str | None = None) -> pd.DataFrame:
    table = pd.read_csv(TRUTH, dtype={"district_code": str, "true_street_code": str}).fillna({"true_street_code": ""})
    return table if split in (None, "all") else table[table["split"] == split].reset_index(drop=True)


def names_place(address: str) -> bool:
    """The address names a road, a building/campus, a station or a 街道/镇 (not only a district)."""
    idx = resolver.index()
    p = parse(address, list(idx.district_names.values()))
    return bool(p.road or p.building or p.stations or p.town or p.cross_roads)


def method_resolver(address: str) -> resolver.Resolution:
    return resolver.resolve(address)


def method_district(address: str) -> resolver.Resolution:
    idx = resolver.index()
    p = parse(address, list(idx.district_names.values()))
    return idx.district_resolution(idx.district_by_name.get(p.district)) if p.district else resolver.NONE


def method_legacy(address: str) -> resolver.Resolution:
    """The previous gazetteer's rules on today's tables: 街道 name, else any station name in the text."""
    idx = resolver.index()
    for name in sorted(idx.street_names.values(), key=len, reverse=True):
        if name in address:
            code = next(c for c, n in idx.street_names.items() if n == name)
            return idx.street_resolution(code)
    for station in sorted(idx.stations, key=len, reverse=True):
        if len(station) >= 2 and (f"{station}站" in address or (len(station) >= 3 and station in address)):
            s = idx.stations[station]
            code = idx.street_of_point(s.lat, s.lon)
            return resolver.Resolution(s.lat, s.lon, "station", 0.8, code, code[:6] if code else None, "station", station)
    return method_district(address)


METHODS = {"resolver": method_resolver, "old_rules": method_legacy, "district": method_district}


def run_rows(table: pd.DataFrame, method) -> pd.DataFrame:
    out = []
    for r in table.itertuples():
        res = method(r.address)
        err = haversine_km(res.lat, res.lon, r.lat, r.lon) if res.lat is not None else np.nan
        out.append({"address": r.address, "split": r.split, "truth_method": r.truth_method,
                    "true_street_code": r.true_street_code, "street_code": res.street_code or "",
                    "precision": res.precision, "radius_km": res.radius_km, "error_km": err,
                    "names_place": names_place(r.address), "matched": res.label, "how": res.method})
    return pd.DataFrame(out)


def summarise(rows: pd.DataFrame, rng: np.random.Generator | None = None) -> dict:
    graded = rows[(rows["names_place"]) & (rows["true_street_code"] != "")]
    right = (graded["street_code"] == graded["true_street_code"]).to_numpy(float)
    err = rows["error_km"].to_numpy(float)
    located = err[~np.isnan(err)]
    fine = ~rows["precision"].isin(["district", "none"])
    false = (fine & (rows["error_km"] > FALSE_CLAIM_KM)).to_numpy(bool)
    radius = rows["radius_km"].astype(float).to_numpy()
    within = (err <= radius)[~np.isnan(err)]
    out = {
        "rows": int(len(rows)), "graded_rows": int(len(graded)),
        "street_acc": float(right.mean()) if len(right) else float("nan"),
        "median_km": float(np.median(located)) if len(located) else float("nan"),
        "p90_km": float(np.percentile(located, 90)) if len(located) else float("nan"),
        "within_1km": float((located <= 1.0).mean()) if len(located) else float("nan"),
        "false_claims": int(false.sum()), "false_claim_rate": float(false.mean()) if len(false) else 0.0,
        "within_radius": float(within.mean()) if len(within) else float("nan"),
        "unresolved": int(np.isnan(err).sum()),
        "by_precision": rows["precision"].value_counts().to_dict(),
    }
    claimed = rows[fine & rows["error_km"].notna()]
    graded_fine = claimed[claimed["true_street_code"] != ""]
    out["fine_rows"] = int(len(claimed))
    out["fine_street_acc"] = float((graded_fine["street_code"] == graded_fine["true_street_code"]).mean()) \
        if len(graded_fine) else float("nan")
    out["fine_median_km"] = float(claimed["error_km"].median()) if len(claimed) else float("nan")
    # What a stored row is judged with: the resolver's own radius (kept since migration 0009) or, as before,
    # its precision's default. Share of finer-than-district rows whose error is within each.
    fine_err = claimed["error_km"].to_numpy(float)
    default = claimed["precision"].map(PRECISION_RADIUS_KM).to_numpy(float)
    out["fine_within_own_radius"] = float((fine_err <= claimed["radius_km"].astype(float).to_numpy()).mean()) \
        if len(claimed) else float("nan")
    out["fine_within_default_radius"] = float((fine_err <= default).mean()) if len(claimed) else float("nan")
    if rng is not None and len(graded) and len(located):
        accs = [right[rng.integers(0, len(right), len(right))].mean() for _ in range(BOOTSTRAP)]
        meds = [np.median(located[rng.integers(0, len(located), len(located))]) for _ in range(BOOTSTRAP)]
        out["street_acc_ci"] = [float(np.percentile(accs, 2.5)), float(np.percentile(accs, 97.5))]
        out["median_km_ci"] = [float(np.percentile(meds, 2.5)), float(np.percentile(meds, 97.5))]
    if rng is not None and len(claimed):
        own_ok = fine_err <= claimed["radius_km"].astype(float).to_numpy()
        gains, own_rng = [], np.random.default_rng(0)  # its own stream: the intervals above stay as they were
        for _ in range(BOOTSTRAP):
            pick = own_rng.integers(0, len(own_ok), len(own_ok))
            gains.append(own_ok[pick].mean() - (fine_err <= default)[pick].mean())
        out["fine_within_gain_ci"] = [float(np.percentile(gains, 2.5)), float(np.percentile(gains, 97.5))]
    return out


def evaluate(splits=("dev", "test"), methods=tuple(METHODS)) -> dict:
    rng = np.random.default_rng(0)
    results, all_rows = {}, {}
    for split in splits:
        table = load(split)
        for name in methods:
            rows = run_rows(table, METHODS[name])
            all_rows[(split, name)] = rows
            results[f"{split}/{name}"] = summarise(rows, rng)
            for truth_method in ("osm_polygon", "nearest_committee"):
                part = rows[rows["truth_method"] == truth_method]
                results[f"{split}/{name}/{truth_method}"] = summarise(part)
    return {"results": results, "rows": all_rows}


def _fmt(s: dict) -> str:
    ci = s.get("street_acc_ci")
    mci = s.get("median_km_ci")
    acc = f"{s['street_acc']:.1%}" + (f" [{ci[0]:.1%}, {ci[1]:.1%}]" if ci else "")
    med = f"{s['median_km']:.2f}" + (f" [{mci[0]:.2f}, {mci[1]:.2f}]" if mci else "")
    return (f"| {s['rows']} | {s['graded_rows']} | {acc} | {med} | {s['p90_km']:.2f} | {s['within_1km']:.1%} | "
            f"{s['false_claims']} ({s['false_claim_rate']:.1%}) | {s['within_radius']:.1%} |")


def markdown(results: dict) -> str:
    lines = ["| split/method | rows | graded | 街道 right [95% CI] | median km [95% CI] | p90 km | ≤1 km | "
             "false claims | error ≤ radius |", "|---|---|---|---|---|---|---|---|---|"]
    for key, s in results.items():
        lines.append(f"| {key} " + _fmt(s))
    lines += ["", "Rows claiming finer than district (neighbourhood / station / street):", "",
              "| split/method | rows | 街道 right | median km | error ≤ own radius | error ≤ level default | "
              "difference [95% CI] |", "|---|---|---|---|---|---|---|"]
    for key, s in results.items():
        if key.count("/") == 1:
            lines.append(f"| {key} | {s['fine_rows']} | {s['fine_street_acc']:.1%} | {s['fine_median_km']:.2f} | "
                         f"{s['fine_within_own_radius']:.1%} | {s['fine_within_default_radius']:.1%} | "
                         + (f"{s['fine_within_own_radius'] - s['fine_within_default_radius']:+.1%} "
                            f"[{ci[0]:+.1%}, {ci[1]:+.1%}] |" if (ci := s.get("fine_within_gain_ci")) else "|"))
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Evaluate the place resolver on public POI addresses.")
    ap.add_argument("--split", choices=["dev", "test", "all"], default=None)
    ap.add_argument("--out", default=None, help="folder for report.md, metrics.json, rows.csv")
    args = ap.parse_args(argv)
    splits = ("dev", "test") if args.split is None else (args.split,)
    out = evaluate(splits)
    text = markdown(out["results"])
    print(text)
    for split in splits:
        print(f"{split} precision mix (resolver):", out["results"][f"{split}/resolver"]["by_precision"])
    if args.out:
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.md").write_text(text + "\n", encoding="utf-8")
        (folder / "metrics.json").write_text(json.dumps(out["results"], ensure_ascii=False, indent=1), encoding="utf-8")
        pd.concat([rows.assign(method=m) for (_, m), rows in out["rows"].items()]).to_csv(folder / "rows.csv", index=False)


if __name__ == "__main__":
    main()


__all__ = ["evaluate", "summarise", "run_rows", "load", "names_place", "METHODS"]
