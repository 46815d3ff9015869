"""The plain-float paths the shown results use give the numpy rule's answers bit for bit.

`judge` (every result shown) reads the 15-minute judgement from `_circle_one`, `_estimate` the best
metro trip from a loop over the 3 x 3 station pairs; both replaced numpy expressions that cost more
in per-call overhead than in arithmetic. Exactness matters: the minutes range and the circle are shown.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from matcher.geo import geo, metro
from matcher.geo.commute import (ACCESS_KM, DEFAULT_MODES, STATION_ENTRY_MINUTES, STATION_SEARCH, WAIT_MINUTES,
                                 MetroCommute, _circle_one, circle_many)


@pytest.fixture(scope="module")
def commute():
    return MetroCommute()


MODE_SETS = [DEFAULT_MODES, frozenset({"walk"}), frozenset({"walk", "bus"}), frozenset({"walk", "cycle", "metro", "bus"})]


@pytest.mark.parametrize("modes", MODE_SETS)
def test_the_scalar_circle_equals_circle_many_bit_for_bit(modes):
    rng = np.random.default_rng(7)
    km = np.concatenate([rng.uniform(0, 8, 3000), [0.0, 0.5, 1.0, 2.3, 2.307692307692308]])
    minutes = np.concatenate([rng.uniform(0, 60, 3000), [0.0, 15.0, 15.0, 14.999999, 15.000001]])
    radius = np.concatenate([rng.choice([0.0, 0.05, 0.1, 0.8, 1.0, 2.0, 2.95, np.nan], 3000), [0.0, 0.5, 2.0, 0.0, 0.1]])
    circle, near, far = circle_many(km, minutes, radius, modes)
    for n in range(len(km)):
        one = _circle_one(float(km[n]), float(minutes[n]), float(radius[n]), modes)
        assert (one[0] == circle[n]) or (math.isnan(one[0]) and math.isnan(circle[n])), n
        assert one[1] == near[n] and one[2] == far[n], n


def _metro_by_numpy(commute: MetroCommute, origin, dest):
    """The numpy expression `_metro` replaced (kept here as the reference)."""
    def nearby(lat, lon):
        km = geo.haversine_km_many(lat, lon, commute.network.lats, commute.network.lons)
        nearest = np.argsort(km)[:STATION_SEARCH]
        nearest = nearest[km[nearest] <= ACCESS_KM]
        return nearest, km[nearest] * geo.DETOUR_FACTOR / geo.WALK_KMH * 60.0 + STATION_ENTRY_MINUTES

    o_idx, o_walk = nearby(*origin)
    d_idx, d_walk = nearby(*dest)
    if len(o_idx) == 0 or len(d_idx) == 0:
        return None
    ride = commute.network.minutes[np.ix_(o_idx, d_idx)]
    total = o_walk[:, None] + WAIT_MINUTES + ride + d_walk[None, :]
    total[ride == 0] = np.inf
    i, j = np.unravel_index(np.argmin(total), total.shape)
    if not np.isfinite(total[i, j]):
        return None
    return float(total[i, j]), int(o_idx[i]), int(d_idx[j])


def test_the_metro_loop_picks_what_the_numpy_expression_picked(commute):
    rng = np.random.default_rng(11)
    stations = list(metro.stations().values())
    points = [(s.lat + dy, s.lon + dx) for s in stations[::3]
              for dy, dx in [(0.0, 0.0), tuple(rng.uniform(-0.01, 0.01, 2))]]
    points += [(31.62, 121.40), (31.63, 121.55)]  # Chongming: no station within reach
    pairs = [(points[a], points[b]) for a, b in rng.integers(0, len(points), (600, 2))]
    pairs += [(points[0], points[0]), (points[-1], points[0])]  # one station at both ends; none at one end
    found = 0
    for origin, dest in pairs:
        expected = _metro_by_numpy(commute, origin, dest)
        assert commute._metro(origin, dest) == expected, (origin, dest)
        found += expected is not None
    assert found > 500  # the comparison covered real trips, not only "no metro"


def test_nearby_lookups_are_cached_per_point_and_bounded(commute, monkeypatch):
    import matcher.geo.commute as module

    fresh = MetroCommute(commute.network)
    monkeypatch.setattr(module, "NEARBY_CACHE", 5)
    first = fresh._nearby(31.27, 121.48)
    assert fresh._nearby(31.27, 121.48)[0] is first[0]  # served from the cache
    for n in range(20):
        fresh._nearby(31.2 + n * 0.01, 121.45)
    assert len(fresh._nearby_cache) <= 6
    # A point is its own key: a moved place never reads the stations of where it was.
    moved = fresh._nearby(31.0, 121.2)
    assert not np.array_equal(moved[0], first[0]) or len(moved[0]) == 0


def test_a_routes_sentence_is_made_once_and_keeps_the_minutes_given(commute):
    net = commute.network
    i = net.names.index
    route = net.route(i("曲阳路"), i("南京西路"))
    assert route is net.route(i("曲阳路"), i("南京西路"))
    assert route.sentence(22.4).endswith("约22分钟") and route.sentence(31.6).endswith("约32分钟")
    assert route.sentence(22.4).startswith(route.stations_text) and "曲阳路站上车" in route.stations_text
