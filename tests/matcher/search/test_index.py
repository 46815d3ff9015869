import json
import os

import numpy as np
import pytest

from matcher.search.index import ExactIndex, build_index, resolve_factory
from matcher.search.persist import IndexUnusable, Manifest, load_index, save_index


def _clustered(n, dim, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, dim))
    vectors = centres[rng.integers(0, 20, n)] + 0.8 * rng.normal(size=(n, dim))
    vectors = vectors.astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.parametrize("factory,min_recall", [("Flat", 1.0), ("HNSW32", 0.95), ("IVF16,Flat", 0.9)])
def test_faiss_agrees_with_exact_search(factory, min_recall):
    vectors = _clustered(3000, 48)
    ids = np.arange(3000, dtype=np.int64) * 7 + 100  # database ids, not row numbers
    queries = _clustered(3050, 48)[3000:]  # same clusters, unseen points
    exact = ExactIndex(48)
    exact.add(ids, vectors)
    index = build_index(48, factory, ids, vectors)
    _, truth = exact.search(queries, 10)
    _, found = index.search(queries, 10)
    recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found)])
    assert recall >= min_recall
    assert set(found.ravel()) <= set(ids)


def test_removed_ids_never_come_back_and_subset_search_restricts():
    vectors = _clustered(500, 32)
    ids = np.arange(500, dtype=np.int64) + 1
    index = build_index(32, "Flat", ids, vectors)
    index.remove(ids[:250])
    _, found = index.search(vectors[:10], 20)
    assert not set(found.ravel()) & set(ids[:250])
    _, found = index.search(vectors[:3], 5, subset=ids[400:405])
    assert set(found.ravel()) == set(ids[400:405])


def test_saved_index_round_trips_and_refuses_a_mismatch(tmp_path):
    vectors = _clustered(200, 16)
    ids = np.arange(200, dtype=np.int64) + 1
    index = build_index(16, "Flat", ids, vectors)
    save_index(tmp_path / "ix", index, Manifest("m", 16, "Flat", 5, 200))
    loaded, manifest = load_index(tmp_path / "ix", model="m", dim=16, factory="Flat")
    assert manifest.data_version == 5
    assert np.array_equal(loaded.search(vectors[:5], 5)[1], index.search(vectors[:5], 5)[1])
    with pytest.raises(IndexUnusable):
        load_index(tmp_path / "ix", model="other-model", dim=16, factory="Flat")
    with pytest.raises(IndexUnusable):
        load_index(tmp_path / "ix", model="m", dim=32, factory="Flat")


def test_corrupt_index_is_refused(tmp_path):
    vectors = _clustered(50, 16)
    index = build_index(16, "Flat", np.arange(50) + 1, vectors)
    save_index(tmp_path / "ix", index, Manifest("m", 16, "Flat", 1, 50))
    (tmp_path / "ix" / "index.faiss").write_bytes(b"not an index")
    with pytest.raises(IndexUnusable):
        load_index(tmp_path / "ix", model="m", dim=16, factory="Flat")
    (tmp_path / "ix" / "manifest.json").write_text(json.dumps({"model": "m"}))
    with pytest.raises(IndexUnusable):
        load_index(tmp_path / "ix", model="m", dim=16, factory="Flat")


def test_auto_factory_is_exact_for_small_collections_and_compressed_ivf_with_rerank_above():
    assert resolve_factory("auto", 100, 20_000) == "Flat"
    assert resolve_factory("auto", 50_000, 20_000) == "IVF256,SQ8+rerank"
    assert resolve_factory("auto", 100_000, 20_000) == "IVF256,SQ8+rerank"
    assert resolve_factory("IVF1024,SQ8", 10, 20_000) == "IVF1024,SQ8"
    # about sqrt(N) lists (benchmarks.index_sweep), a power of two so modest growth keeps the factory
    assert resolve_factory("auto", 1_000_000, 20_000) == resolve_factory("auto", 1_050_000, 20_000) == "IVF1024,SQ8+rerank"


def test_an_index_file_changed_at_the_same_length_is_refused(tmp_path):
    vectors = _clustered(100, 16)
    index = build_index(16, "Flat", np.arange(100) + 1, vectors)
    save_index(tmp_path / "ix", index, Manifest("m", 16, "Flat", 1, 100))
    path = tmp_path / "ix" / "index.faiss"
    data = bytearray(path.read_bytes())
    data[-200:-100] = bytes(100)  # vector bytes zeroed: still a readable FAISS file
    path.write_bytes(bytes(data))
    with pytest.raises(IndexUnusable, match="校验和"):
        load_index(tmp_path / "ix", model="m", dim=16, factory="Flat")


def test_leftover_temporary_directories_are_removed(tmp_path):
    from matcher.search.persist import remove_leftovers

    index = build_index(16, "Flat", np.arange(10) + 1, _clustered(10, 16))
    save_index(tmp_path / "ix", index, Manifest("m", 16, "Flat", 1, 10))
    crashed = tmp_path / ".tmp-index-abc123"
    crashed.mkdir()
    (crashed / "index.faiss").write_bytes(b"half")
    old = tmp_path / "ix.old"
    old.mkdir()
    assert set(remove_leftovers(tmp_path / "ix", older_than_s=0)) == {crashed, old}
    assert not crashed.exists() and not old.exists() and (tmp_path / "ix").exists()
    fresh = tmp_path / ".tmp-index-now"
    fresh.mkdir()
    assert remove_leftovers(tmp_path / "ix") == [] and fresh.exists()  # a save in progress elsewhere


def test_hnsw_tombstones_survive_a_save_and_load(tmp_path):
    vectors = _clustered(300, 16)
    ids = np.arange(300, dtype=np.int64) + 1
    index = build_index(16, "HNSW32", ids, vectors)
    index.add(ids[:5], vectors[100:105])  # five updates: five tombstones
    assert index.dead == 5
    save_index(tmp_path / "ix", index, Manifest("m", 16, "HNSW32", 1, 300))
    loaded, manifest = load_index(tmp_path / "ix", model="m", dim=16, factory="HNSW32")
    assert loaded.dead == 5 and len(loaded) == 300 and manifest.count == 300
    _, found = loaded.search(vectors[:5], 3)
    assert not {1, 2, 3, 4, 5} & set(found[:, 0].tolist())  # not found under their old vectors


def test_widened_half_rows_are_exactly_the_float32_cast():
    """`vectors` reads the float16 store through a lookup table: every one of the 65,536 bit patterns
    (zeros, subnormals, infinities) widens to what numpy's cast gives, bit for bit."""
    from matcher.search.arrays import widen_half

    every = np.arange(1 << 16, dtype=np.uint16).view(np.float16).reshape(128, 512)
    got, want = widen_half(every), every.astype(np.float32)
    finite = ~np.isnan(want)
    assert got.dtype == np.float32 and got.shape == want.shape
    assert np.array_equal(got.view(np.uint32)[finite], want.view(np.uint32)[finite])
    assert np.isnan(got[~finite]).all()
    assert widen_half(every[:0]).shape == (0, 512)


def test_a_search_from_a_web_worker_thread_runs_faiss_on_one_thread():
    """OpenMP's thread count is per calling thread: a server's worker threads would otherwise search
    with one OpenMP thread per core, and the idle ones spin on the core the next request needs."""
    import threading

    import faiss

    from matcher.search.index import FaissIndex

    index = FaissIndex(8, "Flat")
    index.add(np.arange(1, 51, dtype=np.int64), np.random.default_rng(0).normal(size=(50, 8)).astype(np.float32))
    seen = {}

    def worker():
        seen["before"] = faiss.omp_get_max_threads()
        index.search(np.ones((1, 8), np.float32), 5)
        seen["after"] = faiss.omp_get_max_threads()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen["after"] == 1
    if (os.cpu_count() or 1) > 1:
        assert seen["before"] > 1  # what a fresh thread starts with here


def test_cosines_from_the_float16_store_are_the_widened_rows_times_the_query_bit_for_bit():
    """`half_dot` (the re-rank and the lexical/geo-only cosines) widens in reused buffers: every row
    count, zeros, subnormals and signs give exactly `widen_half(rows) @ query`, and an infinity or NaN
    falls back to the table; `FaissIndex.cosines` equals `vectors(ids) @ query`."""
    from matcher.search.arrays import half_dot, widen_half

    rng = np.random.default_rng(2)
    store = (rng.normal(size=(3000, 64)) * 0.05).astype(np.float16)
    store[0, :6] = [0.0, -0.0, 3e-8, -3e-8, 6e-5, -65504.0]  # zeros, subnormals, the largest
    query = rng.normal(size=64).astype(np.float32)
    for n in (0, 1, 5, 100, 700, 3000, 2):  # growing and shrinking the buffers
        rows = rng.choice(len(store), n, replace=False) if n != 2 else np.array([0, 0])
        want = widen_half(store[rows]) @ query
        got = half_dot(store, rows, query)
        assert got.dtype == np.float32 and np.array_equal(got.view(np.uint32), want.view(np.uint32)), n
    odd = store.copy()
    odd[7, 3] = np.inf
    assert np.isinf(half_dot(odd, np.array([7, 8]), query)[0])
    from matcher.search.index import FaissIndex

    index = FaissIndex(64, "Flat+rerank")
    index.add(np.arange(1, 201), store[:200].astype(np.float32))
    ids = np.array([5, 1, 200, 17])
    assert np.array_equal(index.cosines(ids, query), index.vectors(ids) @ query)
