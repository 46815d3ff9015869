"""The 2026 Shanghai metro: 408 stations, lines 1-18 and the Pujiang line, and station-to-station routes.

Source: `data/reference/shanghai_metro_2026_{stations,lines}.geojson` (MIT, see PROVENANCE.md). Each line
is a (Multi)LineString through its stations in service order (branches of lines 5, 10 and 11 are the
parts; line 4 closes on itself). The graph has one node per (station, line); riding between neighbours
costs `RIDE_DWELL_MINUTES + km / RIDE_KMH * 60`, changing line at a station costs `TRANSFER_MINUTES`.
All-pairs minutes are precomputed (Dijkstra over ~520 nodes); `route` rebuilds the legs of one trip so
directions can name the boarding station, every transfer and the alighting station.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from data.reference import reference_path
from matcher.geo.geo import CONSTANTS, haversine_km, haversine_km_many

STATIONS_FILE = "shanghai_metro_2026_stations.geojson"
LINES_FILE = "shanghai_metro_2026_lines.geojson"
RIDE_DWELL_MINUTES = CONSTANTS["RIDE_DWELL_MINUTES"].value
RIDE_KMH = CONSTANTS["RIDE_KMH"].value
TRANSFER_MINUTES = CONSTANTS["TRANSFER_MINUTES"].value
ROUTE_CACHE = 50_000  # station pairs whose route is kept (408 stations: 166k pairs at most)
SNAP_KM = 1.0  # a line vertex belongs to the nearest station of that line within this distance


@dataclass(frozen=True)
class Station:
    name: str
    lat: float
    lon: float
    lines: tuple[str, ...]  # "1号线", "浦江线"


def station_label(name: str) -> str:
    """曲阳路 -> 曲阳路站; 上海南站 stays 上海南站."""
    return name if name.endswith("站") else f"{name}站"


def _line_name(line_id: str) -> str:
    return "浦江线" if line_id == "pujiang" else f"{line_id}号线"


@lru_cache(maxsize=1)
def stations() -> dict[str, Station]:
    with open(reference_path(STATIONS_FILE), encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    out = {}
    for f in features:
        p = f["properties"]
        lon, lat = f["geometry"]["coordinates"]
        out[p["station"]] = Station(p["station"], float(lat), float(lon), tuple(_line_name(x) for x in p["lines"]))
    return out


@lru_cache(maxsize=1)
def line_sequences() -> list[tuple[str, list[str]]]:
    """(line name, station names in service order) per line part."""
    st = stations()
    names = list(st)
    lats = np.array([st[n].lat for n in names])
    lons = np.array([st[n].lon for n in names])
    with open(reference_path(LINES_FILE), encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    out = []
    for f in features:
        line = _line_name(f["properties"]["line_id"])
        geom = f["geometry"]
        parts = geom["coordinates"] if geom["type"] == "MultiLineString" else [geom["coordinates"]]
        on_line = np.array([line in st[n].lines for n in names])
        for part in parts:
            seq = []
            for lon, lat in part:
                km = np.where(on_line, haversine_km_many(lat, lon, lats, lons), np.inf)
                i = int(np.argmin(km))
                if km[i] <= SNAP_KM and (not seq or seq[-1] != names[i]):
                    seq.append(names[i])
            out.append((line, seq))
    return out


@dataclass(frozen=True)
class Leg:
    line: str
    board: str
    alight: str
    stops: int
    minutes: float


@dataclass(frozen=True)
class Route:
    legs: tuple[Leg, ...]
    minutes: float  # riding and transfers, no walking or waiting

    @cached_property
    def stations_text(self) -> str:
        """8号线曲阳路站上车，在人民广场换乘2号线，南京西路站下车 (made once per route: the network keeps
        each station pair's route, so each pair's sentence is built once)."""
        first = self.legs[0]
        parts = [f"{first.line}{station_label(first.board)}上车"]
        for leg in self.legs[1:]:
            parts.append(f"在{leg.board}换乘{leg.line}")
        parts.append(f"{station_label(self.legs[-1].alight)}下车")
        return "，".join(parts)

    def sentence(self, total_minutes: float | None = None) -> str:
        """8号线曲阳路站上车，在人民广场换乘2号线，南京西路站下车，约22分钟"""
        minutes = self.minutes if total_minutes is None else total_minutes
        return f"{self.stations_text}，约{minutes:.0f}分钟"


@dataclass
class MetroNetwork:
    """Stations (WGS-84), all-pairs ride minutes and the line boarded first, plus the graph for routes."""

    names: list[str]
    lats: np.ndarray
    lons: np.ndarray
    minutes: np.ndarray  # (n, n) ride time incl. transfers, excl. walking, waiting and entry
    first_line: np.ndarray  # (n, n) index into `lines` of the line boarded at the origin station
    lines: list[str]
    graph: object = None
    nodes: list[tuple[int, int]] | None = None  # node -> (station, line)

    @classmethod
    def build(cls) -> "MetroNetwork":
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import dijkstra

        st = stations()
        names = list(st)
        station_index = {n: i for i, n in enumerate(names)}
        lat = np.array([st[n].lat for n in names])
        lon = np.array([st[n].lon for n in names])
        seqs = line_sequences()
        lines = sorted({line for line, _ in seqs}, key=lambda s: (not s[0].isdigit(), int("".join(c for c in s if c.isdigit()) or 99)))
        line_index = {line: i for i, line in enumerate(lines)}
        node_of: dict[tuple[int, int], int] = {}

        def node(s: int, line: int) -> int:
            return node_of.setdefault((s, line), len(node_of))

        src, dst, weight = [], [], []
        for line, seq in seqs:
            li = line_index[line]
            ids = [station_index[s] for s in seq]
            for a, b in zip(ids, ids[1:]):
                km = haversine_km(lat[a], lon[a], lat[b], lon[b])
                w = RIDE_DWELL_MINUTES + km / RIDE_KMH * 60.0
                na, nb = node(a, li), node(b, li)
                src += [na, nb]
                dst += [nb, na]
                weight += [w, w]
        by_station: dict[int, list[int]] = {}
        for (s, _line), n in node_of.items():
            by_station.setdefault(s, []).append(n)
        for group in by_station.values():
            for i, a in enumerate(group):
                for b in group[i + 1:]:
                    src += [a, b]
                    dst += [b, a]
                    weight += [TRANSFER_MINUTES, TRANSFER_MINUTES]
        size = len(node_of)
        graph = coo_matrix((weight, (src, dst)), shape=(size, size)).tocsr()
        node_times = dijkstra(graph, directed=True)
        nodes = [None] * size
        for key, n in node_of.items():
            nodes[n] = key
        node_station = np.array([k[0] for k in nodes])
        node_line = np.array([k[1] for k in nodes])
        n = len(names)
        minutes = np.full((n, n), np.inf)
        first_line = np.full((n, n), -1, dtype=np.int64)
        # For each (origin node, destination station): min over the station's nodes, then over origin nodes.
        per_dest = np.full((size, n), np.inf)
        for s in range(n):
            cols = by_station.get(s, [])
            if cols:
                per_dest[:, s] = node_times[:, cols].min(axis=1)
        for a in range(size):
            s = node_station[a]
            better = per_dest[a] < minutes[s]
            minutes[s, better] = per_dest[a, better]
            first_line[s, better] = node_line[a]
        np.fill_diagonal(minutes, 0.0)
        return cls(names, lat, lon, minutes, first_line, lines, graph, nodes)

    def route(self, board: int, alight: int) -> Route | None:
        """The legs of the fastest ride from station index `board` to `alight` (each pair searched once:
        a Dijkstra run costs about half a millisecond, and every metro result shown names its route)."""
        routes = self.__dict__.setdefault("_routes", {})
        key = (int(board), int(alight))
        if key not in routes:
            if len(routes) >= ROUTE_CACHE:
                routes.clear()
            routes[key] = self._route(*key)
        return routes[key]

    def _route(self, board: int, alight: int) -> Route | None:
        from scipy.sparse.csgraph import dijkstra

        if board == alight or not np.isfinite(self.minutes[board, alight]):
            return None
        starts = [i for i, (s, _l) in enumerate(self.nodes) if s == board]
        ends = [i for i, (s, _l) in enumerate(self.nodes) if s == alight]
        times, pred = dijkstra(self.graph, directed=True, indices=starts, return_predecessors=True)
        row, col = np.unravel_index(np.argmin(times[:, ends]), (len(starts), len(ends)))
        path = [ends[col]]
        while path[-1] != starts[row]:
            path.append(int(pred[row, path[-1]]))
        path.reverse()
        legs: list[Leg] = []
        cur_line, cur_board, stops, t0 = None, None, 0, 0.0
        prev = None
        for node_id in path:
            s, li = self.nodes[node_id]
            if cur_line is None:
                cur_line, cur_board, stops, t0 = li, s, 0, float(times[row, node_id])
            elif li != cur_line:  # a transfer edge: close the leg at the previous node
                legs.append(Leg(self.lines[cur_line], self.names[cur_board], self.names[prev[0]], stops,
                                float(times[row, prev_id]) - t0))
                cur_line, cur_board, stops, t0 = li, s, 0, float(times[row, node_id])
            else:
                stops += 1
            prev, prev_id = (s, li), node_id
        legs.append(Leg(self.lines[cur_line], self.names[cur_board], self.names[prev[0]], stops,
                        float(times[row, prev_id]) - t0))
        legs = [leg for leg in legs if leg.stops > 0]  # a transfer at the boarding station is no leg
        return Route(tuple(legs), float(times[row, ends[col]])) if legs else None


@lru_cache(maxsize=1)
def network() -> MetroNetwork:
    return MetroNetwork.build()
