"""Run folders for evaluation and benchmark output: machine info, versions, JSON/CSV/markdown/PNG.

Every script under `evaluation/` writes one folder per run (default `reports/<kind>-<timestamp>/`)
holding the raw figures (JSON, CSV), a markdown summary and plots, plus the machine they were
measured on, so a figure is never separated from the conditions that produced it.
"""
from __future__ import annotations

import csv
import datetime as _dt
import importlib.metadata
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

DEFAULT_REPORTS_DIR = Path("reports")

# Distribution names whose versions matter for the figures; absent ones are recorded as None.
DEFAULT_PACKAGES = (
    "numpy",
    "faiss-cpu",
    "torch",
    "sentence-transformers",
    "transformers",
    "scikit-learn",
    "rank-bm25",
    "jieba",
    "pandas",
    "matplotlib",
    "jobcircle",
)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _total_ram_bytes() -> int | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def package_versions(packages: Iterable[str] = DEFAULT_PACKAGES) -> dict[str, str | None]:
    """Installed versions of `packages` (distribution names), None for those not installed."""
    versions: dict[str, str | None] = {}
    for name in packages:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def machine_info(packages: Iterable[str] = DEFAULT_PACKAGES) -> dict[str, Any]:
    """CPU model, logical cores (total and usable by this process), RAM, OS, Python and package versions."""
    ram = _total_ram_bytes()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpu_usable": usable,
        "ram_bytes": ram,
        "ram_gib": round(ram / 2**30, 1) if ram else None,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "load_average_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "timestamp": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "versions": package_versions(packages),
    }


def make_run_dir(kind: str, out: str | os.PathLike | None = None, *, base: Path = DEFAULT_REPORTS_DIR) -> Path:
    """Create and return the run folder: `out` if given, else `base/<kind>-<YYYYmmdd-HHMMSS>`."""
    if out is None:
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = Path(base) / f"{kind}-{stamp}"
    else:
        path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _json_default(value: Any) -> Any:
    # numpy scalars and arrays, Paths: written as plain JSON values instead of failing.
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_json(run_dir: Path, name: str, payload: Any) -> Path:
    path = Path(run_dir) / name
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=_json_default) + "\n", encoding="utf-8")
    return path


def write_csv(run_dir: Path, name: str, rows: Sequence[Mapping[str, Any]]) -> Path:
    """Write dict rows; the header is the union of keys in first-seen order."""
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    path = Path(run_dir) / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({key: row.get(key, "") for key in columns})
    return path


def _format_cell(value: Any, digits: int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and digits is not None:
        return f"{value:.{digits}f}"
    return str(value)


def markdown_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, *, digits: int | None = 3
) -> str:
    """A GitHub markdown table of `rows` over `columns` (default: keys of the first row).

    Floats are printed with `digits` decimals, or as they are (already rounded) when None.
    """
    if not rows:
        return "(no rows)\n"
    columns = list(columns) if columns is not None else list(rows[0].keys())
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(_format_cell(row.get(col), digits) for col in columns) + " |")
    return "\n".join(lines) + "\n"


def machine_markdown(info: Mapping[str, Any]) -> str:
    """A short markdown block describing the machine and versions."""
    versions = ", ".join(f"{k} {v}" for k, v in info.get("versions", {}).items() if v)
    return (
        f"- CPU: {info.get('cpu_model')} ({info.get('cpu_usable')} usable of {info.get('cpu_count')} logical cores)\n"
        f"- RAM: {info.get('ram_gib')} GiB; load average at start: {info.get('load_average_1m')}\n"
        f"- {info.get('platform')}, Python {info.get('python')}\n"
        f"- Versions: {versions}\n"
        f"- Run at: {info.get('timestamp')}\n"
    )


def load_average() -> float | None:
    """1-minute load average now: on a shared machine, the context a latency figure needs."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def write_markdown(run_dir: Path, name: str, text: str) -> Path:
    path = Path(run_dir) / name
    path.write_text(text, encoding="utf-8")
    return path
