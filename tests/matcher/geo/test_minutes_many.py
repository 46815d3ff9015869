"""`MetroCommute.minutes_many` (what ranking reads) gives `estimate_many`'s minutes bit for bit, for every
mode set, with and without posting ids, for rows without a place and for a posting that moved."""
import dataclasses

import numpy as np
import pytest

from matcher.geo import geo
from matcher.geo.commute import MetroCommute, circle_many, judge

MODE_SETS = [None, "walk", "walk,cycle", "walk,metro", "walk,cycle,metro,bus", "bus"]


def _points(seed: int, n: int = 400) -> np.ndarray:
    rng = np.random.default_rng(seed)
    points = np.column_stack([31.23 + rng.normal(0, 0.08, n), 121.47 + rng.normal(0, 0.08, n)])
    points[:20] = points[0] + rng.normal(0, 0.002, (20, 2))  # a cluster within walking distance
    points[7] = np.nan  # no place
    return points


@pytest.mark.parametrize("modes", MODE_SETS)
def test_minutes_many_equals_estimate_many(modes):
    points, origin = _points(1), (31.2304, 121.4737)
    ids = np.arange(10, 10 + len(points))
    expected_commute, commute = MetroCommute(modes=modes), MetroCommute(modes=modes)
    expected = expected_commute.estimate_many(origin, points)[0]
    for _ in range(2):  # computed, then read from the id-keyed cache
        minutes, km = commute.minutes_many(origin, points[:, 0], points[:, 1], keys=ids)
        np.testing.assert_array_equal(minutes, expected)
        np.testing.assert_array_equal(km, geo.haversine_km_many(origin[0], origin[1], points[:, 0], points[:, 1]))
    np.testing.assert_array_equal(commute.minutes_many(origin, points[:, 0], points[:, 1])[0], expected)
    moved = points.copy()
    moved[30:60] = points[200:230]
    np.testing.assert_array_equal(commute.minutes_many(origin, moved[:, 0], moved[:, 1], keys=ids)[0],
                                  expected_commute.estimate_many(origin, moved)[0])


def test_minutes_many_when_every_row_is_beyond_walking():
    points, origin = _points(4)[100:], (31.05, 121.25)  # every posting 20 km or more away
    ids = np.arange(1, len(points) + 1)
    commute = MetroCommute()
    commute.warm(ids, points)
    np.testing.assert_array_equal(commute.minutes_many(origin, points[:, 0], points[:, 1], keys=ids)[0],
                                  MetroCommute().estimate_many(origin, points)[0])


def test_minutes_many_from_an_origin_far_from_any_station():
    points, origin = _points(2, 100), (30.70, 121.95)  # out at sea: no station within reach
    commute = MetroCommute()
    np.testing.assert_array_equal(commute.minutes_many(origin, points[:, 0], points[:, 1], keys=np.arange(1, 101))[0],
                                  MetroCommute().estimate_many(origin, points)[0])


def test_circle_many_with_and_without_unknown_radii():
    rng = np.random.default_rng(3)
    km, minutes = rng.uniform(0, 5, 200), rng.uniform(0, 40, 200)
    radius = rng.uniform(0, 1, 200)
    finite = circle_many(km, minutes, radius)
    radius_nan = radius.copy()
    radius_nan[::7] = np.nan
    with_nan = circle_many(km, minutes, radius_nan)
    zeroed = radius.copy()
    zeroed[::7] = 0.0
    for a, b in zip(with_nan, circle_many(km, minutes, zeroed)):
        np.testing.assert_array_equal(a, b)
    assert not np.isnan(finite[1]).any()


def test_judge_keeps_every_field_of_the_estimate():
    """`judge` builds its result field by field (it runs for every result shown): it must equal
    `dataclasses.replace` of the estimate, and a new field of `Commute` must be added there too."""
    assert [f.name for f in dataclasses.fields(geo.Commute)] == [
        "minutes", "mode", "distance_km", "description", "approximate", "coarse", "radius_km", "judged", "circle",
        "minutes_range"]
    commute = MetroCommute()
    for dest, radius in (((31.30, 121.50), 0.0), ((31.2310, 121.4740), 0.8), ((31.25, 121.45), 0.3)):
        est = commute.estimate((31.2304, 121.4737), dest)
        judged = judge(est, radius)
        assert judged == dataclasses.replace(est, description=judged.description, radius_km=radius, judged=True,
                                             circle=judged.circle, minutes_range=judged.minutes_range,
                                             approximate=est.approximate or radius > 0.2)
