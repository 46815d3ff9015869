"""Build `poi_truth.csv` from `poi_raw.csv` (run once, before any resolver is evaluated on it).

    python -m evaluation.datasets.places.build_truth

Truth per row: the POI's own point (GCJ-02 converted to WGS-84) and its 街道:
- `osm_polygon`: the OSM 街道 polygon containing the point (eight central districts; independent of the
  gazetteer the resolver uses);
- `nearest_committee`: outside them, the 街道 of the nearest neighbourhood-committee point in the POI's
  own district (an approximation that shares data with the gazetteer: reported separately).
Split: `test` for rows whose address hashes (sha1) to an odd first byte, else `dev`. Nothing is tuned on
`test`.
"""
from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from data.reference import reference_path
from matcher.geo.coords import gcj_to_wgs
from matcher.geo.polygons import polygon_districts, polygon_street

HERE = Path(__file__).resolve().parent


def build() -> pd.DataFrame:
    raw = pd.read_csv(HERE / "poi_raw.csv", dtype=str)
    districts = pd.read_csv(reference_path("shanghai_districts.csv"), dtype=str)
    district_code = dict(zip(districts["name"], districts["code"]))
    committees = pd.read_csv(reference_path("shanghai_neighbourhood_points.csv"), dtype=str)
    committees["district_code"] = committees["street_code"].str[:6]
    rows = []
    for r in raw.itertuples():
        lat, lon = gcj_to_wgs(float(r.lat_gcj02), float(r.lon_gcj02))
        dcode = district_code.get(r.district)
        if dcode is None:
            continue
        if dcode in polygon_districts():
            street, method = polygon_street(lat, lon), "osm_polygon"
            if street is None or street[:6] != dcode:
                street, method = None, "outside_polygons"
        else:
            pool = committees[committees["district_code"] == dcode]
            km = np.hypot((pool["lat_wgs84"].astype(float) - lat) * 111.2,
                          (pool["lon_wgs84"].astype(float) - lon) * 95.3)
            street, method = pool["street_code"].iloc[int(np.argmin(km))], "nearest_committee"
        split = "test" if hashlib.sha1(r.address.encode("utf-8")).digest()[0] % 2 else "dev"
        rows.append({"name": r.name, "address": r.address, "district": r.district, "district_code": dcode,
                     "lat": round(lat, 6), "lon": round(lon, 6), "true_street_code": street or "",
                     "truth_method": method, "split": split})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    table = build()
    table.to_csv(HERE / "poi_truth.csv", index=False, quoting=csv.QUOTE_MINIMAL)
    print(table.groupby(["truth_method", "split"]).size())
