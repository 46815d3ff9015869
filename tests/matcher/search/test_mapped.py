"""The shared, memory-mapped index (issue 16 item 2): a read-only base mapped from the saved file, later
writes in an in-memory delta with tombstones, compaction by one process under a file lock, and the
other processes mapping the new file."""
import os

import numpy as np
import pytest

from matcher.inputs import PostingInput
from matcher.search import mapped
from matcher.search.index import ExactIndex, build_index
from matcher.search.persist import Manifest, load_index, save_index
from matcher.search.mapped import IndexLock, MappedIndex
from matcher.service import JobCircle
from models.encoder import HashingEncoder

DIM = 32
FACTORIES = ["Flat", "HNSW32", "IVF8,Flat", "HNSW32,SQ8", "IVF8,SQ8+rerank"]


def _unit(rng, n):
    x = rng.normal(size=(n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _mapped_pair(tmp_path, factory):
    rng = np.random.default_rng(1)
    ids, vectors = np.arange(1000, 1600), _unit(rng, 600)
    save_index(tmp_path / "ix", build_index(DIM, factory, ids, vectors), Manifest("m", DIM, factory, 7, 600))
    base, manifest = load_index(tmp_path / "ix", model="m", dim=DIM, factory=factory, mmap=True)
    base.nprobe = 8
    base._configure()  # every IVF list probed: the base search is exact up to ties
    reference = ExactIndex(DIM)
    reference.add(ids, vectors)
    return MappedIndex(base, data_version=manifest.data_version), reference, rng, ids


@pytest.mark.parametrize("factory", FACTORIES)
def test_the_saved_file_is_mapped_read_only_not_copied(tmp_path, factory):
    index, _, _, _ = _mapped_pair(tmp_path, factory)
    path = str((tmp_path / "ix" / "index.faiss").resolve())
    lines = [line for line in open(f"/proc/{os.getpid()}/maps") if line.rstrip().endswith(path)]
    assert lines and all("w" not in line.split()[1] for line in lines)
    with pytest.raises(RuntimeError):
        index.base.add([1], _unit(np.random.default_rng(0), 1))  # refused here, never a FAISS abort


@pytest.mark.parametrize("factory", ["Flat", "IVF8,Flat", "IVF8,SQ8+rerank"])
def test_writes_over_the_mapped_base_answer_like_an_exact_index(tmp_path, factory):
    index, reference, rng, ids = _mapped_pair(tmp_path, factory)
    changed = _unit(rng, 40)
    for target in (index, reference):
        target.add(ids[:40], changed)  # updated: new vector, old one a tombstone
        target.remove(ids[100:150])  # closed
        target.add([5, 6], changed[:2] * -1)  # new
    assert len(index) == len(reference) == 552
    queries = _unit(rng, 20)
    got, want = index.search(queries, 10), reference.search(queries, 10)
    atol = 2e-3 if factory.endswith("+rerank") else 1e-5  # a float16 store holds about three decimal digits
    np.testing.assert_allclose(got[0], want[0], atol=atol)
    assert ids[120] not in set(index.search(queries, 600)[1].ravel().tolist())
    np.testing.assert_allclose(index.vectors([ids[0], 5, ids[300]]), reference.vectors([ids[0], 5, ids[300]]),
                               atol=atol / 2)
    subset = np.array([ids[0], 5, ids[120], ids[300]])
    assert set(index.search(queries[:1], 4, subset=subset)[1][0].tolist()) == {int(ids[0]), 5, int(ids[300]), -1}
    merged = index.merged()  # what a compaction saves: the same answers, no delta
    assert len(merged) == 552 and not merged.read_only
    np.testing.assert_allclose(merged.search(queries, 10)[0], want[0], atol=atol)


def test_another_holder_of_the_lock_makes_a_compaction_wait(tmp_path):
    first, second = IndexLock(tmp_path / "ix"), IndexLock(tmp_path / "ix")
    assert first.acquire(blocking=False)
    try:
        assert not second.acquire(blocking=False)  # a second open file: as another process would be
    finally:
        first.release()
    assert second.acquire(blocking=False)
    second.release()


def test_one_process_compacts_and_the_other_maps_the_new_file(settings, monkeypatch):
    monkeypatch.setattr(mapped, "COMPACT_MIN", 3)
    settings.refresh_interval_s = 0.0
    writer = JobCircle(settings, HashingEncoder(256)).start()
    reader = JobCircle(settings, HashingEncoder(256)).start()  # same data directory: another worker
    try:
        assert isinstance(writer.index, MappedIndex) and isinstance(reader.index, MappedIndex)
        before = writer.index.data_version
        ids = writer.upsert_postings([
            PostingInput(title=f"仓库理货员{n}号", requirements="会使用叉车，能上夜班", street="曲阳路街道") for n in range(5)
        ])
        writer.refresh(force=True)  # five changes in memory > COMPACT_MIN: this process compacts ...
        writer.postings.join_compaction()  # ... in a background thread, serving meanwhile
        assert writer.index.data_version > before and writer.index.pending == 0
        reader.refresh(force=True)  # sees the new manifest: maps the new file, nothing left in its delta
        assert reader.index.data_version == writer.index.data_version and reader.index.pending == 0
        query = reader.encoder.encode_queries(["仓库理货员 会使用叉车"])[0]
        found = reader.postings.search(query, 10)
        assert set(ids) <= set(found)
    finally:
        reader.stop()
        writer.stop()


@pytest.mark.parametrize("factory", ["Flat", "IVF8,SQ8+rerank"])
def test_vectors_follow_writes_over_the_mapped_base(tmp_path, factory):
    """`vectors` (the cosines of candidates only the lexical or geo channel found) reads the base while
    the delta is empty, and the delta's copy for an id written since: never the superseded vector."""
    index, reference, rng, ids = _mapped_pair(tmp_path, factory)
    atol = 1e-3 if factory.endswith("+rerank") else 1e-6
    picked = [ids[0], ids[1], ids[300]]
    np.testing.assert_allclose(index.vectors(picked), reference.vectors(picked), atol=atol)
    moved = _unit(rng, 1)
    index.add([ids[1]], moved)
    got = index.vectors(picked)
    np.testing.assert_allclose(got[1], moved[0], atol=1e-6)  # the delta's (exact) copy
    np.testing.assert_allclose(got[[0, 2]], reference.vectors([ids[0], ids[300]]), atol=atol)
    index.remove([ids[1]])
    with pytest.raises(KeyError):
        index.vectors(picked)
