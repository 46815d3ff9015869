"""The ingest pipeline's encoder runs ahead from raw items (issue 16 target 5): every chunk comes back
in input order with the vector of its own prepared text, and a prepared text that differs from the one
encoded ahead is encoded again."""
import threading

import numpy as np

from models import pipeline
from models.encoder import HashingEncoder


class CountingEncoder(HashingEncoder):
    def __init__(self):
        super().__init__(64)
        self.threads = set()

    def encode_documents(self, texts, **kwargs):
        self.threads.add(threading.current_thread().name)
        return super().encode_documents(texts, **kwargs)


def test_chunks_come_back_in_order_with_their_own_vectors(monkeypatch):
    monkeypatch.setattr(pipeline, "LOOKAHEAD", 2)
    encoder = CountingEncoder()
    items = [f"岗位{n} 仓库理货员" * (1 + n % 5) for n in range(53)]
    prepared_seen = []

    def prepare(part):
        prepared_seen.append(len(part))
        return [text.upper() if n == 7 else text for n, text in enumerate(part)]  # one text changes in parsing

    out = list(pipeline.prepare_encode_ahead(items, prepare, lambda p: p, encoder, chunk=10,
                                             text_of_item=lambda item: item))
    assert [start for start, _, _ in out] == list(range(0, 53, 10)) and prepared_seen == [10, 10, 10, 10, 10, 3]
    texts = [p for _, prepared, _ in out for p in prepared]
    vectors = np.vstack([v for _, _, v in out])
    np.testing.assert_allclose(vectors, HashingEncoder(64).encode_documents(texts), atol=1e-6)
    assert any(name.startswith("encode-ahead") for name in encoder.threads)


def test_nothing_to_encode_yields_nothing():
    assert list(pipeline.prepare_encode_ahead([], lambda part: part, str, HashingEncoder(8),
                                              text_of_item=str)) == []
