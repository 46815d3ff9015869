"""The places evaluation counts what it says: 街道 accuracy, error, false precision claims."""
import math

import pandas as pd

from evaluation import places_eval


def test_summary_counts_false_claims_and_accuracy():
    rows = pd.DataFrame([
        {"names_place": True, "true_street_code": "A", "street_code": "A", "precision": "street", "radius_km": 2.0, "error_km": 1.0},
        {"names_place": True, "true_street_code": "B", "street_code": "C", "precision": "street", "radius_km": 2.0, "error_km": 4.0},
        {"names_place": True, "true_street_code": "B", "street_code": "", "precision": "district", "radius_km": 9.0, "error_km": 5.0},
        {"names_place": False, "true_street_code": "B", "street_code": "B", "precision": "none", "radius_km": None, "error_km": math.nan},
    ])
    s = places_eval.summarise(rows)
    assert s["graded_rows"] == 3 and s["street_acc"] == 1 / 3
    assert s["false_claims"] == 1  # 4 km off while claiming a 街道; the district row is honest
    assert s["median_km"] == 4.0 and s["unresolved"] == 1


def test_truth_file_has_independent_and_held_out_rows():
    table = places_eval.load()
    assert len(table) > 1400 and set(table["split"]) == {"dev", "test"}
    assert (table["truth_method"] == "osm_polygon").sum() > 400
    rows = places_eval.run_rows(table.head(15), places_eval.METHODS["resolver"])
    assert len(rows) == 15 and rows["precision"].isin(["exact", "neighbourhood", "station", "street", "district", "none"]).all()
