"""The catalog's spatial queries against brute force over every posting."""
import dataclasses

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


def _full_entry(posting_id, n):
    side = Side(id=posting_id, skills=frozenset({f"技能{n % 5}", "叉车"}), certificates=frozenset({"叉车证"}) if n % 2 else
                frozenset(), education=n % 4 or None, experience=float(n % 3) or None, salary_low=5000.0 + n,
                salary_high=None if n % 3 else 7000.0, occupations=(f"4-02-0{n % 3}-01", "4-02-03-02")[: 1 + n % 2],
                point=(31.2 + n / 1000, 121.4) if n % 4 else None, approximate_point=bool(n % 2),
                coarse_point=n % 7 == 0, radius_km=0.3 * (n % 3), title=f"岗位{n}", occupation_name="名称" if n % 2 else None,
                occupation_phrase="可能是…", salary_text=f"{5000 + n}元/月", night_work=n % 5 == 0)
    return PostingEntry(side=side, employer=f"单位{n % 4}", expires_ts=None if n % 3 else 1.9e9 + n, accessible=n % 2 == 0,
                        employment_type="full_time", salary_text=f"{5000 + n}元/月", street_code="310109" if n % 2 else None,
                        station_id=n % 6 or None, duplicate_of=n - 1 if n % 8 == 0 else None)


def _same_types(got, want):
    for field in dataclasses.fields(want):
        a, b = getattr(got, field.name), getattr(want, field.name)
        if dataclasses.is_dataclass(b):
            _same_types(a, b)
        elif isinstance(b, (tuple, frozenset)):
            assert type(a) is type(b) and sorted(map(repr, map(type, a))) == sorted(map(repr, map(type, b))), field.name
        else:
            assert type(a) is type(b), (field.name, a, b)


def test_the_columns_give_back_every_entry_through_edits_removals_and_compaction():
    catalog, model = PostingCatalog(), {}
    for n in range(1, 3001):
        model[n] = _full_entry(n, n)
        catalog.upsert(model[n])
    for n in range(1, 3001, 3):  # edits in place, then removals past the compaction threshold
        model[n] = _full_entry(n, n + 1)
        catalog.upsert(model[n])
    for n in range(2, 3001, 3):
        catalog.remove(n)
        model.pop(n)
    for n in range(3, 3001, 3):
        catalog.remove(n)
        model.pop(n)
    assert catalog.columns.size < 3000  # compacted: tombstones dropped
    assert len(catalog) == len(model) and sorted(catalog.ids()) == sorted(model)
    assert all(catalog.get(n) == entry for n, entry in model.items())
    for n, entry in model.items():  # the same Python types too (an int shown as 7000.0 would read wrong)
        _same_types(catalog.get(n), entry)
    assert catalog.get(2) is None and 2 not in catalog and 4 in catalog
    near = catalog.nearest(31.2 + 4 / 1000, 121.4, 0.5, 3)[0].tolist()
    assert near[0] == 4 and all(model[i].side.point for i in near)


def test_nearest_cuts_a_tie_at_the_limit_by_id():
    """Many postings at one address (the same km): the partial sort keeps every tied one in reach of
    the cut, so the `limit` returned are the lowest ids of the tie, as a full sort gives."""
    catalog = PostingCatalog()
    rng = np.random.default_rng(5)
    for posting_id in rng.permutation(np.arange(1, 401)).tolist():
        point = (31.27, 121.48) if posting_id % 2 else (31.2705, 121.4805)  # two addresses, 200 each
        catalog.upsert(_entry(posting_id, point))
    for limit in (1, 150, 200, 250, 399, 400, 500):
        ids, km = catalog.nearest(31.2701, 121.4801, 3.0, limit)
        truth_km = haversine_km_many(31.2701, 121.4801, np.array([31.27, 31.2705]), np.array([121.48, 121.4805]))
        first = 1 if truth_km[0] <= truth_km[1] else 2
        order = [i for i in range(1, 401) if i % 2 == first % 2] + [i for i in range(1, 401) if i % 2 != first % 2]
        assert ids.tolist() == order[:limit], limit
        assert (np.diff(km) >= 0).all()


def test_nearest_equals_brute_force_in_dense_clusters_and_on_cell_edges():
    """Cells are skipped once `limit` postings are measured and the cell's nearest corner is farther:
    the answer must still be the brute-force one, ids and order, wherever the query falls."""
    from matcher.search.catalog import CELL_DEG

    rng = np.random.default_rng(9)
    centres = np.array([[31.27, 121.48], [31.2705, 121.4830], [31.23, 121.47]])
    points = np.vstack([centres[n % 3] + rng.normal(0, 0.0015, 2) for n in range(4000)]
                       + [np.round(centres[0] / CELL_DEG) * CELL_DEG + [0, k * 1e-5] for k in range(60)]  # on edges
                       + [centres[1]] * 40)  # one address, many postings
    catalog = PostingCatalog()
    for n, (lat, lon) in enumerate(points):
        catalog.upsert(_entry(n + 1, (float(lat), float(lon))))
    queries = [centres[n % 3] + rng.normal(0, 0.002, 2) for n in range(60)] + [c for c in centres]
    queries += [np.round(centres[0] / CELL_DEG) * CELL_DEG]
    for n, (lat, lon) in enumerate(queries):
        radius, limit = [(4.6, 250), (0.3, 400), (9.2, 30), (2.0, 1)][n % 4]
        ids, km = catalog.nearest(float(lat), float(lon), radius, limit)
        truth_ids, truth_km = _brute(points, float(lat), float(lon), radius)
        assert ids.tolist() == truth_ids[:limit].tolist(), n
        np.testing.assert_array_equal(km, truth_km[:limit])


def test_nearest_equals_brute_force_for_points_a_few_float_steps_apart_and_on_the_radius():
    """The rings are measured with a flat-earth bound and only the possible answers exactly: points a
    few float steps apart (where the two formulas round differently), points exactly on the radius and
    ties at the limit must come out as brute force has them, ids, order and distances."""
    lat0, lon0 = 31.2304, 121.4737
    steps = [np.nextafter(lat0, 90.0, dtype=np.float64)]
    for _ in range(4):
        steps.append(np.nextafter(steps[-1], 90.0))
    points = [(lat0, lon0)] * 30 + [(s, lon0) for s in steps] + [(lat0, np.nextafter(lon0, 180.0))] * 5
    rng = np.random.default_rng(5)
    points += [tuple(p) for p in np.array([lat0, lon0]) + rng.normal(0, 0.003, (3000, 2))]
    ring_km = 0.5  # a few postings exactly 0.5 km north (as the formula measures them)
    north = lat0 + np.degrees(ring_km / 6371.0088)
    points += [(north, lon0)] * 3
    points = np.array(points)
    catalog = PostingCatalog()
    for n, (lat, lon) in enumerate(points):
        catalog.upsert(_entry(n + 1, (float(lat), float(lon))))
    edge = float(haversine_km_many(lat0, lon0, np.array([north]), np.array([lon0]))[0])
    for radius, limit in [(edge, 5000), (edge, 40), (0.2, 38), (0.2, 36), (3.0, 250), (1e-9, 50), (400.0, 3000)]:
        ids, km = catalog.nearest(lat0, lon0, radius, limit)
        truth_ids, truth_km = _brute(points, lat0, lon0, radius)
        assert ids.tolist() == truth_ids[:limit].tolist(), (radius, limit)
        np.testing.assert_array_equal(km, truth_km[:limit])


def test_nearest_equals_brute_force_when_addresses_hold_hundreds_of_postings():
    """Postings at one address (a street's centroid, a job fair) are measured once per address; the
    limit then cuts inside a group of equally distant postings by id, as brute force does."""
    rng = np.random.default_rng(11)
    addresses = np.array([31.2304, 121.4737]) + rng.normal(0, 0.004, (40, 2))
    points = np.vstack([addresses[rng.integers(0, 40, 6000)], addresses[:3] + [[0.0, 1e-9]] * 3])
    catalog = PostingCatalog()
    for n in rng.permutation(len(points)).tolist():  # ids not in the order of the addresses
        catalog.upsert(_entry(n + 1, (float(points[n, 0]), float(points[n, 1]))))
    for n, (lat, lon) in enumerate(list(addresses[:6]) + list(addresses[:4] + rng.normal(0, 0.002, (4, 2)))):
        radius, limit = [(3.0, 250), (0.5, 1000), (5.0, 1), (0.2, 7000)][n % 4]
        ids, km = catalog.nearest(float(lat), float(lon), radius, limit)
        truth_ids, truth_km = _brute(points, float(lat), float(lon), radius)
        assert ids.tolist() == truth_ids[:limit].tolist(), n
        np.testing.assert_array_equal(km, truth_km[:limit])
