"""The sweep's collection is the one bench_matching grows: the real vectors first, then noisy unit copies."""
import numpy as np

from benchmarks import index_sweep


def test_the_collection_keeps_the_real_vectors_and_adds_unit_copies(tmp_path):
    rng = np.random.default_rng(3)
    templates = rng.normal(size=(20, 512)).astype(np.float32)  # the model's width: noise costs ~0.09 of cosine
    templates /= np.linalg.norm(templates, axis=1, keepdims=True)
    base = index_sweep.collection(tmp_path, 500, templates, originals=True)
    copies = index_sweep.collection(tmp_path, 500, templates, originals=False)
    np.testing.assert_array_equal(base[:20], templates)
    np.testing.assert_array_equal(base[20:], copies[20:])
    np.testing.assert_allclose(np.linalg.norm(base, axis=1), 1.0, atol=1e-5)
    nearest = (copies[20:] @ templates.T).max(axis=1)
    assert 0.8 < float(np.median(nearest)) < 0.99  # a copy is near its template, never equal to it


def test_recall_counts_the_exact_top_ten_found():
    truth = np.arange(100)[None, :]
    assert index_sweep.recall(np.array([[0, 1, 2, 3, 4, 50, 51, 52, 53, 54]]), truth) == 0.5
