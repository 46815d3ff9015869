"""Bundled reference tables (copied from the project's shared data; see reference/PROVENANCE.md)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


def reference_path(filename: str) -> Path:
    path = REFERENCE_DIR / filename
    if not path.exists():
        raise FileNotFoundError(f"缺少内置参考数据文件：{path}")
    return path


@lru_cache(maxsize=None)
def occupations() -> pd.DataFrame:
    """2022 national occupation classification: level (1-4), code, name, definition, tasks, alias."""
    return pd.read_csv(reference_path("occupations_csco2022.csv"), dtype=str).fillna("").assign(
        level=lambda df: df["level"].astype(int)
    )


@lru_cache(maxsize=None)
def districts() -> pd.DataFrame:
    return pd.read_csv(reference_path("shanghai_districts.csv"), dtype=str)


@lru_cache(maxsize=None)
def streets() -> pd.DataFrame:
    """Official 街道/镇 codes and names, with `areaCode` the district code."""
    return pd.read_csv(reference_path("shanghai_streets.csv"), dtype=str)


@lru_cache(maxsize=None)
def metro_stations() -> pd.DataFrame:
    return pd.read_csv(reference_path("shanghai_metro_stations.csv"))


@lru_cache(maxsize=None)
def metro_lines() -> pd.DataFrame:
    return pd.read_csv(reference_path("shanghai_metro_lines.csv"))


@lru_cache(maxsize=None)
def approximate_points() -> pd.DataFrame:
    """Hand-placed approximate points for districts and the demo district's 街道 (see PROVENANCE.md)."""
    return pd.read_csv(reference_path("approximate_points.csv"), dtype={"code": str})
