"""The nearest stations of a point (looked up the first time each point is shown) are argsort's own.

`StationAccess._nearest_stations` measures only the stations a flat-earth distance leaves in play; the
stations, their order and their distances must be those of `np.argsort` over every station, bit for bit
(they pick the boarding station named in a result's directions and its walking minutes).
"""
from __future__ import annotations

import numpy as np
import pytest

from matcher.geo import geo
from matcher.geo.commute import ACCESS_KM, STATION_ENTRY_MINUTES, STATION_SEARCH, MetroCommute


@pytest.fixture(scope="module")
def commute():
    return MetroCommute()


def _by_argsort(net, lat, lon):
    km = geo.haversine_km_many(lat, lon, net.lats, net.lons)
    nearest = np.argsort(km)[:STATION_SEARCH]
    return nearest, km[nearest]


def _points(net):
    rng = np.random.default_rng(7)
    around = [(float(a), float(b)) for a, b in zip(rng.uniform(30.6, 31.9, 3000), rng.uniform(120.8, 122.2, 3000))]
    at_stations = [(float(a), float(b)) for a, b in zip(net.lats[::3], net.lons[::3])]
    between = [(float((net.lats[i] + net.lats[i + 1]) / 2), float((net.lons[i] + net.lons[i + 1]) / 2))
               for i in range(0, len(net.lats) - 1, 5)]
    far = [(39.9, 116.4), (0.0, 0.0), (31.2, 125.0), (-33.9, 151.2)]
    return around + at_stations + between + far


def test_the_nearest_stations_are_argsorts_own_bit_for_bit(commute):
    net = commute.network
    for lat, lon in _points(net):
        stations, km = commute._nearest_stations(lat, lon)
        expected, expected_km = _by_argsort(net, lat, lon)
        assert stations.tolist() == expected.tolist(), (lat, lon)
        assert km.tobytes() == expected_km.tobytes(), (lat, lon)


def test_a_tie_is_left_to_argsort(commute):
    net = commute.network
    lats, lons = net.lats.copy(), net.lons.copy()
    lats[1], lons[1] = lats[0], lons[0]  # two stations at one place: always tied
    twin = MetroCommute(type(net)(net.names, lats, lons, net.minutes, net.first_line, net.lines, net.graph,
                                  net.nodes))
    full_calls = []
    full = twin._nearest_full
    twin._nearest_full = lambda lat, lon: full_calls.append((lat, lon)) or full(lat, lon)
    lat, lon = float(lats[0] + 0.001), float(lons[0] + 0.001)
    stations, km = twin._nearest_stations(lat, lon)
    all_km = geo.haversine_km_many(lat, lon, lats, lons)
    expected = np.argsort(all_km)[:STATION_SEARCH]
    assert full_calls  # the tie went to the full argsort
    assert stations.tolist() == expected.tolist() and {0, 1} <= set(stations.tolist())
    assert km.tobytes() == all_km[expected].tobytes()


def test_the_walk_in_minutes_are_unchanged(commute):
    fresh = MetroCommute(commute.network)
    for lat, lon in _points(commute.network)[:800]:
        stations, walk = fresh._nearby(lat, lon)
        expected, km = _by_argsort(commute.network, lat, lon)
        close = km <= ACCESS_KM
        assert stations.tolist() == expected[close].tolist()
        want = km[close] * geo.DETOUR_FACTOR / geo.WALK_KMH * 60.0 + STATION_ENTRY_MINUTES
        assert walk.tobytes() == want.tobytes()
