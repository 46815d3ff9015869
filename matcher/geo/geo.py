"""Great-circle distance and the simple travel-time model behind the 15-minute circle.

Constants (documented in the README):
- walking 4.5 km/h and cycling 12 km/h: typical urban speeds used in Chinese
  15-minute community life-circle planning guidance (上海市15分钟社区生活圈规划导则);
- detour factor 1.3: street-network distance over straight-line distance in a dense grid.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_KM = 6371.0088
WALK_KMH = 4.5
CYCLE_KMH = 12.0
DETOUR_FACTOR = 1.3
CIRCLE_MINUTES = 15.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Straight-line (great-circle) distance in km between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def haversine_km_many(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Vectorised distances from one point to many; NaN where a coordinate is missing."""
    p1 = np.radians(lat)
    p2 = np.radians(lats)
    dp = p2 - p1
    dl = np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def walking_minutes(distance_km: float) -> float:
    return distance_km * DETOUR_FACTOR / WALK_KMH * 60.0


def cycling_minutes(distance_km: float) -> float:
    return distance_km * DETOUR_FACTOR / CYCLE_KMH * 60.0


@dataclass(frozen=True)
class Commute:
    """A door-to-door estimate: best mode, its minutes, and a sentence a counsellor can read aloud."""

    minutes: float
    mode: str  # "walk" | "cycle" | "metro"
    distance_km: float
    description: str
    approximate: bool = False

    @property
    def within_circle(self) -> bool:
        return self.minutes <= CIRCLE_MINUTES


NEAR_APPROXIMATE_KM = 0.5


def walk_description(km: float, walk: float, approximate: bool) -> str:
    """The walking sentence; two approximate points this close only say they share a neighbourhood."""
    if approximate and km < NEAR_APPROXIMATE_KM:
        return "在同一街道或片区，步行可达（位置按街道或地址估算，请以实际地址为准）"
    prefix = "约" if approximate else ""
    return f"距离{prefix}{km:.1f}公里，步行约{walk:.0f}分钟"


class StraightLineCommute:
    """Best of walking and cycling over straight-line distance times a detour factor.

    The seam for richer estimators (metro-aware) is the same `estimate` signature.
    """

    def estimate(self, origin: tuple[float, float], dest: tuple[float, float], *, approximate: bool = False) -> Commute:
        km = haversine_km(origin[0], origin[1], dest[0], dest[1])
        walk, cycle = walking_minutes(km), cycling_minutes(km)
        prefix = "约" if approximate else ""
        if walk <= CIRCLE_MINUTES or walk <= cycle * 1.5:
            return Commute(walk, "walk", km, walk_description(km, walk, approximate), approximate)
        return Commute(cycle, "cycle", km, f"距离{prefix}{km:.1f}公里，骑行约{cycle:.0f}分钟（步行约{walk:.0f}分钟）", approximate)

    def estimate_many(self, origin: tuple[float, float], dests: np.ndarray) -> tuple[np.ndarray, list[str]]:
        return straight_line_minutes_many(origin, dests)


def straight_line_minutes_many(origin: tuple[float, float], dests: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Vectorised best-of walking/cycling minutes from one origin to an (n, 2) array of points."""
    km = haversine_km_many(origin[0], origin[1], dests[:, 0], dests[:, 1])
    walk = km * DETOUR_FACTOR / WALK_KMH * 60.0
    cycle = km * DETOUR_FACTOR / CYCLE_KMH * 60.0
    use_walk = (walk <= CIRCLE_MINUTES) | (walk <= cycle * 1.5)
    return np.where(use_walk, walk, cycle), ["walk" if w else "cycle" for w in use_walk]


class CommuteEstimator:
    """Protocol-like base: one estimate for explanations, a vectorised one for ranking."""

    def estimate(self, origin, dest, *, approximate: bool = False) -> Commute:
        raise NotImplementedError

    def estimate_many(self, origin, dests: np.ndarray) -> tuple[np.ndarray, list[str]]:
        raise NotImplementedError

