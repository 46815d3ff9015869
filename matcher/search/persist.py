"""The vector index on disk: `save_index` writes a directory (FAISS file, id map, float16 store, a manifest
with a sha256 per file) and swaps it in atomically; `load_index` refuses any mismatch (model, width,
factory, format, checksums) with `IndexUnusable`, optionally memory-mapping the files; `remove_leftovers`
clears what a crashed save left. The index itself is `matcher.search.index.FaissIndex`."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import faiss
import numpy as np

from matcher.search.index import FaissIndex, split_factory

INDEX_FILE = "index.faiss"
IDS_FILE = "ids.npy"
MANIFEST_FILE = "manifest.json"
STORE_FILE = "vectors.npy"
FORMAT_VERSION = 2  # 2: FAISS holds labels, ids.npy maps them to database ids; sha256 per file
TEMP_GRACE_S = 600.0  # a temporary index directory older than this is a crashed save's leftover


@dataclass(frozen=True)
class Manifest:
    """What an index on disk was built from; a mismatch means rebuild from the database.

    `sha256` holds each file's checksum (filled in by `save_index`): a file changed on disk, even at
    the same length, is refused and the index rebuilt from the database.
    """

    model: str
    dim: int
    factory: str
    data_version: int
    count: int
    format: int = FORMAT_VERSION
    sha256: dict = field(default_factory=dict)


class IndexUnusable(RuntimeError):
    """The stored index is missing, corrupt or does not match the expected manifest."""


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def remove_leftovers(directory: Path, *, older_than_s: float = TEMP_GRACE_S) -> list[Path]:
    """Delete temporary and superseded index directories a crashed save left next to `directory`.

    Only those older than `older_than_s`, so a save running in another process is left alone.
    """
    directory = Path(directory)
    if not directory.parent.exists():
        return []
    removed = []
    now = time.time()
    candidates = list(directory.parent.glob(".tmp-index-*")) + [directory.with_name(directory.name + ".old")]
    for path in candidates:
        try:
            if path.is_dir() and now - path.stat().st_mtime >= older_than_s:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
        except FileNotFoundError:
            continue
    return removed


def save_index(directory: Path, index: FaissIndex, manifest: Manifest) -> None:
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-index-", dir=directory.parent))
    try:
        faiss.write_index(index.raw, str(tmp / INDEX_FILE))
        with open(tmp / IDS_FILE, "wb") as handle:
            np.save(handle, index.label_ids, allow_pickle=False)
        names = [INDEX_FILE, IDS_FILE]
        if index.store is not None:
            with open(tmp / STORE_FILE, "wb") as handle:
                np.save(handle, index.store, allow_pickle=False)
            names.append(STORE_FILE)
        checksums = {name: _sha256(tmp / name) for name in names}
        manifest = replace(manifest, count=len(index), sha256=checksums)
        (tmp / MANIFEST_FILE).write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=2))
        for name in names + [MANIFEST_FILE]:
            with open(tmp / name, "rb") as handle:
                os.fsync(handle.fileno())
        if directory.is_dir():  # files saved beside the index (the start-up snapshot) stay: linked over
            for path in directory.iterdir():
                if path.is_file() and not path.name.startswith(".") and not (tmp / path.name).exists():
                    os.link(path, tmp / path.name)
        old = directory.with_name(directory.name + ".old")
        if directory.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(directory, old)
        os.replace(tmp, directory)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def mmap_flag() -> int:
    """FAISS's read flag that maps the whole index file (vectors, codes and graph) without copying it:
    `IO_FLAG_MMAP_IFC` (FAISS >= 1.10; Flat, HNSW, HNSW+SQ, IVF all map), else `IO_FLAG_MMAP` (older
    FAISS: maps only IVF inverted lists; other kinds are read into memory)."""
    return getattr(faiss, "IO_FLAG_MMAP_IFC", faiss.IO_FLAG_MMAP)


def load_index(directory: Path, *, model: str, dim: int, factory: str, ef_search: int = 96, nprobe: int = 16,
               mmap: bool = False) -> tuple[FaissIndex, Manifest]:
    """Load a persisted index, refusing one built with another model, width or factory, or whose
    files do not match their checksums. `mmap`: map the file read-only (shared by every process
    that maps it) instead of reading it into this process's memory."""
    directory = Path(directory)
    try:
        raw_manifest = json.loads((directory / MANIFEST_FILE).read_text())
        manifest = Manifest(**raw_manifest)
    except FileNotFoundError as exc:
        raise IndexUnusable("索引不存在") from exc
    except (ValueError, TypeError) as exc:
        raise IndexUnusable(f"索引清单损坏：{exc}") from exc
    expected = (model, dim, factory, FORMAT_VERSION)
    found = (manifest.model, manifest.dim, manifest.factory, manifest.format)
    if found != expected:
        raise IndexUnusable(f"索引与当前配置不符：{found} != {expected}")
    names = (INDEX_FILE, IDS_FILE) + ((STORE_FILE,) if split_factory(factory)[1] else ())
    for name in names:
        try:
            actual = _sha256(directory / name)
        except FileNotFoundError as exc:
            raise IndexUnusable(f"索引文件缺失：{name}") from exc
        if actual != manifest.sha256.get(name):
            raise IndexUnusable(f"索引文件校验和不符：{name}")
    try:
        raw = faiss.read_index(str(directory / INDEX_FILE), mmap_flag() if mmap else 0)
        label_ids = np.load(directory / IDS_FILE, allow_pickle=False)
        store = (np.load(directory / STORE_FILE, mmap_mode="r" if mmap else None, allow_pickle=False)
                 if STORE_FILE in names else None)
    except Exception as exc:  # faiss raises RuntimeError with C++ text for any corruption
        raise IndexUnusable(f"索引文件损坏：{exc}") from exc
    if raw.d != dim or raw.ntotal > len(label_ids):
        raise IndexUnusable("索引文件与清单不一致")
    if store is not None and (store.dtype != np.float16 or store.shape != (len(label_ids), dim)):
        raise IndexUnusable("重排向量文件与清单不一致")
    index = FaissIndex(dim, factory, ef_search=ef_search, nprobe=nprobe, index=raw, label_ids=label_ids,
                       read_only=mmap, store=store)
    if len(index) != manifest.count:
        raise IndexUnusable("索引文件与清单不一致")
    return index, manifest
