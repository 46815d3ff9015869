"""The catalog's spatial queries against brute force over every posting."""
import numpy as np
import pytest

from matcher.geo.geo import haversine_km_many
from matcher.search.catalog import PostingCatalog
from matcher.types import PostingEntry, Side


def _entry(posting_id, point):
    return PostingEntry(side=Side(id=posting_id, point=point), employer="", expires_ts=None, accessible=False,
                        employment_type="full_time", salary_text=None, street_code=None, station_id=None)


@pytest.fixture(scope="module")
def world():
    rng = np.random.default_rng(3)
    # Dense centre (Hongkou) and a sparse ring around it, plus postings without a place.
    points = np.vstack([31.27 + 0.02 * rng.normal(size=(1500, 2)) * [1, 1.2] + [0, 121.48 - 31.27],
                        np.column_stack([31.0 + 0.5 * rng.random(300), 121.2 + 0.6 * rng.random(300)])])
    catalog = PostingCatalog()
    for n, (lat, lon) in enumerate(points):
        catalog.upsert(_entry(n + 1, (float(lat), float(lon))))
    for n in range(20):
        catalog.upsert(_entry(5000 + n, None))
    return catalog, points


def _brute(points, lat, lon, radius):
    km = haversine_km_many(lat, lon, points[:, 0], points[:, 1])
    inside = np.flatnonzero(km <= radius)
    order = inside[np.lexsort((inside, km[inside]))]
    return order + 1, km[order]


@pytest.mark.parametrize("lat,lon,radius,limit", [
    (31.27, 121.48, 1.0, 50), (31.27, 121.48, 3.0, 500), (31.25, 121.50, 5.0, 10),
    (31.10, 121.40, 8.0, 40), (31.60, 121.90, 2.0, 5),  # the last: nothing there
])
def test_nearest_agrees_with_brute_force(world, lat, lon, radius, limit):
    catalog, points = world
    ids, km = catalog.nearest(lat, lon, radius, limit)
    truth_ids, truth_km = _brute(points, lat, lon, radius)
    np.testing.assert_allclose(km, truth_km[:limit], atol=1e-9)
    assert ids.tolist() == truth_ids[:limit].tolist()


@pytest.mark.parametrize("lat,lon,radius", [(31.27, 121.48, 1.0), (31.20, 121.45, 4.0), (31.6, 121.9, 2.0)])
def test_near_is_a_superset_of_everything_within_the_radius(world, lat, lon, radius):
    catalog, points = world
    truth, _ = _brute(points, lat, lon, radius)
    assert set(truth.tolist()) <= set(catalog.near(lat, lon, radius).tolist())


def test_removed_and_moved_postings_follow_the_catalog(world):
    catalog = PostingCatalog()
    catalog.upsert(_entry(1, (31.27, 121.48)))
    catalog.upsert(_entry(2, (31.271, 121.481)))
    catalog.remove(1)
    catalog.upsert(_entry(2, (31.10, 121.30)))  # moved far away
    ids, _ = catalog.nearest(31.27, 121.48, 2.0, 10)
    assert ids.tolist() == [] and 1 not in catalog and len(catalog) == 1
