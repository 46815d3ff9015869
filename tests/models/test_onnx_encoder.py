"""The ONNX Runtime encoders: same vectors as the shipped model, checksummed export, query cache."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from models import onnx_encoder
from models.registry import load_encoder

TEXTS = ["想找仓库管理员的工作", "招聘Python开发工程师，熟悉Django与MySQL", "会计，有ERP/SAP经验，持初级会计证",
         "保洁员 早班 虹口区凉城路", "养老护理员（持证），能上夜班"]
ROOT = Path(__file__).resolve().parents[2]


def test_unknown_encoder_name_is_refused_in_chinese():
    with pytest.raises(ValueError, match="未知的向量模型"):
        load_encoder("m3e-large")


def test_settings_default_is_a_known_encoder():
    from matcher.settings import Settings

    assert Settings().encoder == "m3e-small-onnx-int8"


def test_a_corrupt_export_is_rebuilt_not_loaded(tmp_path, monkeypatch):
    """A model.onnx whose checksum no longer matches export.json is exported again."""
    good = tmp_path / "good.onnx"
    good.write_bytes(b"onnx-bytes")
    calls = []

    def fake_export(model_dir, target):
        calls.append(target)
        shutil.copy(good, target)

    monkeypatch.setattr(onnx_encoder, "_export_fp32", fake_export)
    folder = onnx_encoder.ensure_export("fp32", root=tmp_path)
    assert len(calls) == 1 and (folder / "model.onnx").read_bytes() == b"onnx-bytes"
    manifest = json.loads((folder / "export.json").read_text())
    assert manifest["variant"] == "fp32" and len(manifest["onnx_sha256"]) == 64

    assert onnx_encoder.ensure_export("fp32", root=tmp_path) == folder and len(calls) == 1  # cached
    (folder / "model.onnx").write_bytes(b"tampered")
    onnx_encoder.ensure_export("fp32", root=tmp_path)
    assert len(calls) == 2 and (folder / "model.onnx").read_bytes() == b"onnx-bytes"


def test_unknown_variant_is_refused():
    with pytest.raises(ValueError, match="未知的 ONNX 变体"):
        onnx_encoder.ensure_export("fp16")


@pytest.fixture(scope="module")
def onnx_fp32():
    return load_encoder("m3e-small-onnx")


@pytest.fixture(scope="module")
def onnx_int8():
    return load_encoder("m3e-small-onnx-int8")


@pytest.mark.slow
def test_onnx_fp32_gives_the_shipped_models_vectors(real_encoder, onnx_fp32):
    expected = real_encoder.encode_documents(TEXTS)
    got = onnx_fp32.encode_documents(TEXTS)
    assert got.shape == (len(TEXTS), 512) and got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(expected * got, axis=1)) > 0.9999
    # Batching by length must not change a vector: each text alone gives the same row.
    alone = np.vstack([onnx_fp32.encode_documents([t]) for t in TEXTS])
    np.testing.assert_allclose(alone, got, atol=1e-5)


@pytest.mark.slow
def test_onnx_int8_stays_close_and_ranks_like_the_shipped_model(real_encoder, onnx_int8):
    assert onnx_int8.name == "m3e-small-onnx-int8"
    expected = real_encoder.encode_documents(TEXTS)
    got = onnx_int8.encode_documents(TEXTS)
    assert np.min(np.sum(expected * got, axis=1)) > 0.99
    queries = ["会计，熟悉用友财务软件", "养老院护理工作，可以夜班", "Python后端开发"]
    shipped_top = np.argmax(real_encoder.encode_queries(queries) @ expected.T, axis=1)
    int8_top = np.argmax(onnx_int8.encode_queries(queries) @ got.T, axis=1)
    assert shipped_top.tolist() == [2, 4, 1]  # the texts a person would pick
    assert int8_top.tolist() == shipped_top.tolist()


@pytest.mark.slow
def test_repeated_queries_come_from_the_cache_with_the_same_vector(onnx_int8):
    onnx_int8.clear_cache()
    hits = onnx_int8.cache_hits
    first = onnx_int8.encode_queries(["找一份保安的工作"])
    again = onnx_int8.encode_queries(["找一份保安的工作", "找一份保洁的工作"])
    assert onnx_int8.cache_hits == hits + 1
    np.testing.assert_array_equal(first[0], again[0])
    assert float(again[0] @ again[1]) < 0.9999  # the new text got its own vector
    assert onnx_int8.encode_queries([]).shape == (0, 512)


@pytest.mark.slow
def test_query_cache_is_bounded():
    encoder = onnx_encoder.OnnxEncoder("int8", query_cache_size=2)
    encoder.encode_queries(["甲", "乙", "丙"])
    assert len(encoder._cache) == 2 and "甲" not in encoder._cache


@pytest.mark.slow
def test_loading_the_onnx_encoder_never_imports_torch():
    code = ("import sys; from models.registry import load_encoder; e = load_encoder('m3e-small-onnx-int8'); "
            "e.encode_queries(['测试']); print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]
