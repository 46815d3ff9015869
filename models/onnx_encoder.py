"""The bundled m3e-small model run by ONNX Runtime, without torch at run time.

`OnnxEncoder` loads an ONNX export of the same model files as
`models.encoder.SentenceTransformerEncoder` (4-layer BERT, mean pooling over the attention mask,
L2-normalised; pooling and normalisation are part of the exported graph) and tokenises with the
model's own `tokenizer.json` through the `tokenizers` library, truncating at 256 tokens like the
shipped encoder. Loading it imports neither torch nor sentence-transformers, so a command line call
that encodes one query starts in about a second instead of tens of seconds.

Variants (the encoder name records which one built an index; an index built with another name
refuses to load and is rebuilt from the database):
- `m3e-small-onnx`: fp32 weights, the same arithmetic as the shipped model up to float rounding.
- `m3e-small-onnx-int8`: MatMul weights quantised to int8 per output channel (ONNX Runtime dynamic
  quantisation; activations quantised per batch at run time), except the feed-forward output
  projections, which stay fp32 (quantising them cost most of the ranking agreement). Faster, but changes the vectors;
  `python -m benchmarks.encode_bench` measures whether it meets the agreement bar.

The export is made once, by `python -m models.onnx_encoder export` (scripts/setup.sh runs it) or on
first use, into a cache folder (`JOBCIRCLE_MODEL_CACHE`, default `~/.cache/jobcircle/models`). Each
export writes `export.json` with the sha256 of the ONNX file and of the source weights; a file whose
checksum no longer matches is re-exported, never loaded. Exporting needs torch (installed with the
product); loading needs only onnxruntime, tokenizers and numpy.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import numpy as np

from models import encoder as _base
from models.encoder import MODEL_SUBDIR

ONNX_NAME = f"{MODEL_SUBDIR}-onnx"
ONNX_INT8_NAME = f"{MODEL_SUBDIR}-onnx-int8"
VARIANTS = {ONNX_NAME: "fp32", ONNX_INT8_NAME: "int8"}
EXPORT_FORMAT = 2
OPSET = 17
MAX_SEQ_LENGTH = 256
MODEL_FILE = "model.onnx"
EXPORT_MANIFEST = "export.json"
_SOURCE_WEIGHTS = ("model.safetensors", "pytorch_model.bin")
_export_lock = threading.Lock()


class ExportError(RuntimeError):
    """The ONNX export could not be made (typically: torch missing on a runtime-only install)."""


def cache_root() -> Path:
    configured = os.environ.get("JOBCIRCLE_MODEL_CACHE")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "jobcircle" / "models"


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _source_weights(model_dir: Path) -> Path:
    for name in _SOURCE_WEIGHTS:
        if (model_dir / name).exists():
            return model_dir / name
    raise ExportError(f"模型目录 {model_dir} 中没有权重文件（{' 或 '.join(_SOURCE_WEIGHTS)}）")


def _source_stamp(model_dir: Path) -> str:
    """Cheap identity of the source weights (path, size, mtime) used to name the export folder."""
    weights = _source_weights(model_dir)
    stat = weights.stat()
    return hashlib.sha256(f"{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:12]


def export_dir(variant: str, model_dir: Path | None = None, root: Path | None = None) -> Path:
    model_dir = Path(model_dir) if model_dir else _base.find_model_dir()
    return (root or cache_root()) / f"{MODEL_SUBDIR}-{variant}-v{EXPORT_FORMAT}-{_source_stamp(model_dir)}"


def _verified(folder: Path) -> bool:
    manifest_path = folder / EXPORT_MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text())
        return manifest.get("format") == EXPORT_FORMAT and _sha256(folder / MODEL_FILE) == manifest["onnx_sha256"]
    except (OSError, ValueError, KeyError):
        return False


def _export_fp32(model_dir: Path, target: Path) -> None:
    """Trace BERT + mean pooling + L2 normalisation into one ONNX graph (torch only here)."""
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:  # pragma: no cover - the product installs torch
        raise ExportError(f"导出 ONNX 模型需要 torch 与 transformers：{exc}") from exc

    class Pooled(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager")
    bert.eval()
    model = Pooled(bert).eval()
    dummy = torch.ones((2, 8), dtype=torch.long)
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad():
        torch.onnx.export(
            model, (dummy, dummy, torch.zeros_like(dummy)), str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["sentence_embedding"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                          "sentence_embedding": {0: "batch"}},
            opset_version=OPSET, do_constant_folding=True, dynamo=False,
        )


def _feed_forward_outputs(model) -> list[str]:
    """MatMul nodes projecting the feed-forward layer back to the hidden width (weights 2048x512).

    Quantising these four lost most of the agreement (top-10 overlap 0.93 -> 0.96 with them kept
    fp32 on the ranking benchmark's postings), so the int8 variant leaves them in fp32.
    """
    shapes = {init.name: tuple(init.dims) for init in model.graph.initializer}
    return [node.name for node in model.graph.node
            if node.op_type == "MatMul" and len(shapes.get(node.input[1], ())) == 2
            and shapes[node.input[1]][0] > shapes[node.input[1]][1]]


def _quantise_int8(source: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    keep_fp32 = _feed_forward_outputs(onnx.load(str(source), load_external_data=False))
    quantize_dynamic(str(source), str(target), per_channel=True, weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul"], nodes_to_exclude=keep_fp32)


def ensure_export(variant: str = "fp32", model_dir: Path | None = None, root: Path | None = None) -> Path:
    """The folder holding a verified export of `variant`, exporting it first when missing or corrupt."""
    if variant not in VARIANTS.values():
        raise ValueError(f"未知的 ONNX 变体 {variant!r}：可用 fp32 或 int8")
    model_dir = Path(model_dir) if model_dir else _base.find_model_dir()
    folder = export_dir(variant, model_dir, root)
    if _verified(folder):
        return folder
    with _export_lock:
        if _verified(folder):
            return folder
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{variant}-", dir=folder.parent))
        try:
            if variant == "fp32":
                _export_fp32(model_dir, tmp / MODEL_FILE)
            else:
                fp32 = ensure_export("fp32", model_dir, root)
                _quantise_int8(fp32 / MODEL_FILE, tmp / MODEL_FILE)
            shutil.copy2(model_dir / "tokenizer.json", tmp / "tokenizer.json")
            manifest = {
                "format": EXPORT_FORMAT, "variant": variant, "opset": OPSET, "max_seq_length": MAX_SEQ_LENGTH,
                "source": str(model_dir), "source_weights_sha256": _sha256(_source_weights(model_dir)),
                "onnx_sha256": _sha256(tmp / MODEL_FILE),
            }
            (tmp / EXPORT_MANIFEST).write_text(json.dumps(manifest, indent=2))
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


class OnnxEncoder:
    """m3e-small through ONNX Runtime; `encode_queries` keeps an LRU cache of recent query vectors."""

    def __init__(self, variant: str = "fp32", *, model_dir: Path | None = None, batch_size: int = 32,
                 threads: int | None = None, query_cache_size: int = 2048):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = ensure_export(variant, model_dir)
        self.variant = variant
        self.name = ONNX_NAME if variant == "fp32" else ONNX_INT8_NAME
        self.dim = 512
        self.batch_size = batch_size
        self.model_path = folder / MODEL_FILE
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # One thread by default: on 2 shared cores a second intra-op thread made single queries 4x
        # slower and documents slower too (encode_bench); concurrency comes from requests/workers.
        options.intra_op_num_threads = threads or int(os.environ.get("JOBCIRCLE_ONNX_THREADS", "1"))
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(self.model_path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_SEQ_LENGTH)
        self._tokenizer.no_padding()
        self.dim = int(self._session.get_outputs()[0].shape[1] or 512)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = query_cache_size
        self._cache_lock = threading.Lock()
        self.cache_hits = 0

    # ------------------------------------------------------------------ encoding
    def _run(self, encodings) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, :len(encoding.ids)] = encoding.ids
            mask[row, :len(encoding.ids)] = 1
        (out,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                          "token_type_ids": np.zeros_like(ids)})
        return out

    def encode_batches(self, texts: Sequence[str], *, batch_size: int | None = None):
        """Yield `(positions, vectors)` per length-sorted batch, so a caller can write while encoding."""
        size = batch_size or self.batch_size
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=True)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(order), size):
            positions = order[start:start + size]
            yield positions, self._run([encodings[i] for i in positions])

    def encode_documents(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for positions, vectors in self.encode_batches(texts):
            out[positions] = vectors
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: list[int] = []
        with self._cache_lock:
            for row, text in enumerate(texts):
                cached = self._cache.get(text)
                if cached is None:
                    missing.append(row)
                else:
                    self._cache.move_to_end(text)
                    out[row] = cached
                    self.cache_hits += 1
        if missing:
            fresh = self.encode_documents([texts[i] for i in missing])
            out[missing] = fresh
            with self._cache_lock:
                for row, vector in zip(missing, fresh):
                    self._cache[texts[row]] = vector
                    self._cache.move_to_end(texts[row])
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out

    def clear_cache(self) -> None:
        with self._cache_lock:
            self._cache.clear()


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="导出/校验 m3e-small 的 ONNX 模型（fp32 与 int8）")
    parser.add_argument("command", choices=["export"])
    parser.add_argument("--variant", choices=["fp32", "int8", "all"], default="all")
    args = parser.parse_args(argv)
    for variant in (["fp32", "int8"] if args.variant == "all" else [args.variant]):
        folder = ensure_export(variant)
        print(f"==> ONNX {variant}: {folder / MODEL_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
