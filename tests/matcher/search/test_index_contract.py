"""One contract for every vector index `auto` can pick, checked against exact search (as implicit's
`RecommenderBaseTestMixin` is run by each of its models)."""
import unittest

import numpy as np

from matcher.search.index import ExactIndex, FaissIndex, build_index

DIM = 24


def _unit(n, seed):
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


VECTORS = _unit(400, 1)
IDS = np.arange(400, dtype=np.int64) * 3 + 11  # database ids, not row numbers


class VectorIndexContract:
    """Mixed into a `unittest.TestCase`; `_make_index()` returns an empty index of dimension DIM."""

    atol = 1e-5  # score and vector tolerance (float16 stores hold about three decimal digits)

    def _make_index(self):
        raise NotImplementedError()

    def _filled(self):
        index = self._make_index()
        index.add(IDS, VECTORS)
        return index

    def test_add_then_each_vector_finds_itself_first(self):
        index = self._filled()
        self.assertEqual(len(index), len(IDS))
        scores, found = index.search(VECTORS[:20], 3)
        self.assertEqual(found[:, 0].tolist(), IDS[:20].tolist())
        np.testing.assert_allclose(scores[:, 0], 1.0, atol=self.atol)

    def test_search_returns_k_slots_best_first_and_minus_one_when_short(self):
        index = self._make_index()
        index.add(IDS[:3], VECTORS[:3])
        scores, found = index.search(VECTORS[:1], 5)
        self.assertEqual(found.shape, (1, 5))
        self.assertEqual(sorted(found[0, :3].tolist()), sorted(IDS[:3].tolist()))
        self.assertEqual(found[0, 3:].tolist(), [-1, -1])
        self.assertTrue(np.all(np.diff(scores[0, :3]) <= 1e-6))

    def test_removed_ids_never_come_back(self):
        index = self._filled()
        index.remove(IDS[:200])
        self.assertEqual(len(index), 200)
        _, found = index.search(VECTORS[:50], 10)
        self.assertFalse(set(found.ravel().tolist()) & set(IDS[:200].tolist()))
        self.assertEqual(found[:, 0].tolist(), found[:, 0].tolist())  # still fills results from the rest
        self.assertTrue(np.all(found[:, 0] >= 0))

    def test_update_is_found_under_its_new_vector_only(self):
        index = self._filled()
        moved = _unit(1, 99)
        old = VECTORS[7:8]
        index.add(IDS[7:8], moved)  # an updated posting: same id, new text
        self.assertEqual(len(index), len(IDS))
        _, found = index.search(moved, 1)
        self.assertEqual(found[0, 0], IDS[7])
        _, found = index.search(old, 5)
        self.assertNotIn(IDS[7], found[0].tolist())  # never found under its old text
        np.testing.assert_allclose(index.vectors(IDS[7:8]), moved, atol=min(1e-6, self.atol) if self.atol < 1e-4 else self.atol)

    def test_repeated_updates_keep_one_live_vector_per_id(self):
        index = self._filled()
        for round_ in range(5):  # enough to pass the tombstone share that triggers compaction
            index.add(IDS[:100], _unit(100, 200 + round_))
        last = _unit(100, 204)
        _, found = index.search(last[:10], 1)
        self.assertEqual(found[:, 0].tolist(), IDS[:10].tolist())
        self.assertEqual(len(index), len(IDS))

    def test_subset_restricts_the_search(self):
        index = self._filled()
        subset = IDS[300:305]
        _, found = index.search(VECTORS[:4], 5, subset=subset)
        self.assertEqual({int(i) for i in found.ravel()}, set(subset.tolist()))
        index.remove(subset[:2])
        _, found = index.search(VECTORS[:4], 5, subset=subset)
        self.assertEqual({int(i) for i in found.ravel() if i >= 0}, set(subset[2:].tolist()))

    def test_agrees_with_exact_search(self):
        index, exact = self._filled(), ExactIndex(DIM)
        exact.add(IDS, VECTORS)
        index.remove(IDS[::4])
        exact.remove(IDS[::4])
        queries = _unit(30, 5)
        _, truth = exact.search(queries, 5)
        _, found = index.search(queries, 5)
        recall = np.mean([len(set(t) & set(f)) / 5 for t, f in zip(truth, found)])
        self.assertGreaterEqual(recall, 0.95)


class ExactIndexContract(unittest.TestCase, VectorIndexContract):
    def _make_index(self):
        return ExactIndex(DIM)


class FlatContract(unittest.TestCase, VectorIndexContract):
    def _make_index(self):
        return FaissIndex(DIM, "Flat")


class HNSWContract(unittest.TestCase, VectorIndexContract):
    def _make_index(self):
        index = FaissIndex(DIM, "HNSW32")
        self.assertFalse(index.supports_remove)  # the tombstone path is the one under test
        return index

    def test_tombstones_are_compacted(self):
        index = self._filled()
        index.remove(IDS[:150])
        self.assertEqual(index.dead, 0)  # 150 of 400 passes the share: live vectors copied out
        self.assertEqual(len(index), 250)
        index.remove(IDS[150:160])
        self.assertEqual(index.dead, 10)


class IVFContract(unittest.TestCase, VectorIndexContract):
    def _make_index(self):
        return build_index(DIM, "IVF16,Flat", np.zeros(0, np.int64), np.zeros((0, DIM), np.float32)) \
            if False else self._trained()

    def _trained(self):
        index = FaissIndex(DIM, "IVF16,Flat", nprobe=16)  # every list probed: exact up to ties
        index.train(_unit(1000, 42))
        return index


class IVFSQ8RerankContract(unittest.TestCase, VectorIndexContract):
    """Compressed codes searched, the top candidates re-scored from the float16 store."""

    atol = 2e-3

    def _make_index(self):
        index = FaissIndex(DIM, "IVF16,SQ8+rerank", nprobe=16)
        index.train(_unit(1000, 42))
        return index


class HNSWSQ8RerankContract(unittest.TestCase, VectorIndexContract):
    atol = 2e-3

    def _make_index(self):
        index = FaissIndex(DIM, "HNSW32,SQ8+rerank")
        index.train(_unit(1000, 42))
        return index


class RerankTest(unittest.TestCase):
    """Four-bit codes alone misorder close neighbours; re-scoring their top candidates from the float16
    store gives the exact top k with exact scores."""

    def _pair(self, factory):
        index = FaissIndex(DIM, factory, nprobe=16)
        index.train(_unit(1000, 42))
        index.add(IDS, VECTORS)
        exact = ExactIndex(DIM)
        exact.add(IDS, VECTORS)
        return index, exact

    def test_rerank_returns_the_exact_top_k(self):
        queries = _unit(40, 7)
        coarse, exact = self._pair("IVF16,SQ4")
        reranked, _ = self._pair("IVF16,SQ4+rerank")
        want_scores, want = exact.search(queries, 10)
        got_scores, got = reranked.search(queries, 10)
        self.assertEqual([set(row) for row in got.tolist()], [set(row) for row in want.tolist()])
        np.testing.assert_allclose(got_scores, want_scores, atol=2e-3)
        coarse_scores, _ = coarse.search(queries, 10)
        self.assertGreater(np.abs(coarse_scores - want_scores).max(), 2e-3)  # what the store corrects

    def test_vectors_come_from_the_store_once(self):
        index, _ = self._pair("IVF16,SQ4+rerank")
        np.testing.assert_allclose(index.vectors(IDS[:5]), VECTORS[:5], atol=1e-3)
        self.assertEqual(index.store.dtype, np.float16)
        self.assertEqual(index.store.shape, (len(IDS), DIM))

    def test_a_store_survives_save_and_mapped_load(self):
        import tempfile
        from pathlib import Path

        from matcher.search.persist import IndexUnusable, Manifest, load_index, save_index

        index, exact = self._pair("IVF16,SQ4+rerank")
        index.remove(IDS[:10])
        exact.remove(IDS[:10])
        queries = _unit(20, 8)
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp) / "ix"
            save_index(directory, index, Manifest("m", DIM, "IVF16,SQ4+rerank", 1, len(index)))
            for mmap in (False, True):
                loaded, _ = load_index(directory, model="m", dim=DIM, factory="IVF16,SQ4+rerank", mmap=mmap)
                loaded.nprobe = 16
                loaded._configure()
                got, want = loaded.search(queries, 5), exact.search(queries, 5)
                self.assertEqual([set(r) for r in got[1].tolist()], [set(r) for r in want[1].tolist()])
                np.testing.assert_allclose(got[0], want[0], atol=2e-3)
            store = directory / "vectors.npy"
            data = bytearray(store.read_bytes())
            data[-10:] = bytes(10)
            store.write_bytes(bytes(data))
            with self.assertRaises(IndexUnusable):
                load_index(directory, model="m", dim=DIM, factory="IVF16,SQ4+rerank")
