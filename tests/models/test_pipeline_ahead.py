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


def test_a_chunk_is_handed_over_before_its_vectors_are_ready():
    """The writer gets chunk 0's parsed items while the encoder is still busy with it (so rows are
    written meanwhile); `vectors()` then waits for them."""
    release = threading.Event()

    class SlowEncoder(HashingEncoder):
        def encode_documents(self, texts, **kwargs):
            assert release.wait(10)
            return super().encode_documents(texts, **kwargs)

    items = ["超市收银员", "小区保安", "保洁员"]
    chunks = pipeline.encode_ahead(items, lambda part: list(part), lambda p: p, SlowEncoder(32), lambda item: item,
                                   chunk=2)
    start, prepared, vectors = next(chunks)  # would block forever if it waited for the encoder
    assert (start, prepared) == (0, items[:2])
    release.set()
    np.testing.assert_allclose(vectors(), HashingEncoder(32).encode_documents(items[:2]), atol=1e-6)
    rest = [(s, p, v()) for s, p, v in chunks]
    assert [(s, p) for s, p, _ in rest] == [(2, items[2:])]


def test_a_repeated_external_id_in_one_import_keeps_the_last_rows_vector(service):
    from data.schema import Posting
    from matcher.inputs import PostingInput
    from matcher.text import profiles

    first = PostingInput(title="仓库理货员", requirements="会使用叉车", street="曲阳路街道", external_id="R1")
    last = PostingInput(title="社区食堂厨师", requirements="持健康证", street="曲阳路街道", external_id="R1")
    ids = service.upsert_postings([first, last])
    assert ids[0] == ids[1]
    with service.db.session() as session:
        row = session.get(Posting, ids[0])
        stored = np.frombuffer(row.embedding, np.float32)
        assert row.title == "社区食堂厨师" and row.embedding_model == service.encoder.name
    text = profiles.posting_text(last.title, last.description, last.requirements, last.skills)
    np.testing.assert_allclose(stored, service.encoder.encode_documents([text])[0], atol=1e-6)
