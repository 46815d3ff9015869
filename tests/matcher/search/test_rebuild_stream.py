"""Rebuilding the posting index streams `(id, vector)` columns in chunks into FAISS (issue 16): the index
built that way holds exactly what one build over the whole table holds, IVF kinds train on a sample,
and a row whose stored vector is not the current model's is encoded from its text."""
import numpy as np
from sqlalchemy import select, update

from data.schema import Posting
from matcher.inputs import PostingInput
from matcher.search import index as index_module
from matcher.search import synced
from matcher.search.index import build_index
from matcher.service import JobCircle
from models.encoder import HashingEncoder

TITLES = ["仓库理货员", "超市收银员", "小区保安", "保洁员", "外卖骑手", "餐厅服务员", "电工", "育婴员"]


def _postings(n):
    return [PostingInput(title=f"{TITLES[k % len(TITLES)]}{k}号", requirements="能上夜班" if k % 3 else "会使用电脑",
                         street="曲阳路街道", external_id=f"S{k}") for k in range(n)]


def _stored(service):
    with service.db.session() as session:
        rows = session.execute(select(Posting.id, Posting.embedding).where(Posting.status == "open")
                               .order_by(Posting.id)).all()
    return np.array([r.id for r in rows]), np.stack([np.frombuffer(r.embedding, np.float32) for r in rows])


def test_a_chunked_rebuild_holds_what_one_whole_build_holds(settings, monkeypatch):
    monkeypatch.setattr(synced, "BUILD_CHUNK", 7)  # 60 rows: nine chunks, the last one short
    settings.index_mmap = False
    service = JobCircle(settings, HashingEncoder(256)).start()
    try:
        ids = service.upsert_postings(_postings(60))
        service.close_posting(ids[4])
        assert service.rebuild_index() == 59
        live, vectors = _stored(service)
        whole = build_index(256, "Flat", live, vectors)
        assert sorted(service.index.label_ids.tolist()) == sorted(whole.label_ids.tolist())
        np.testing.assert_array_equal(service.index.vectors(live), vectors)
        queries = vectors[:5]
        assert service.index.search(queries, 10)[1].tolist() == whole.search(queries, 10)[1].tolist()
    finally:
        service.stop()


def test_ivf_is_trained_on_a_sample_and_holds_every_row(settings, monkeypatch):
    monkeypatch.setattr(synced, "BUILD_CHUNK", 16)
    monkeypatch.setattr(index_module, "TRAIN_PER_LIST", 10)  # 4 lists x 10: a sample of the 50 rows
    seen = []
    original = index_module.FaissIndex.train
    monkeypatch.setattr(index_module.FaissIndex, "train", lambda self, sample: (seen.append(len(sample)),
                                                                                 original(self, sample))[1])
    settings.index_factory = "IVF4,SQ8+rerank"
    settings.index_mmap = False
    service = JobCircle(settings, HashingEncoder(256)).start()
    try:
        service.upsert_postings(_postings(50))
        seen.clear()
        service.rebuild_index()
        assert seen == [40]
        live, vectors = _stored(service)
        assert len(service.index) == 50
        service.index.nprobe = 4
        service.index._configure()
        found = service.index.search(vectors, 1)[1][:, 0]
        assert found.tolist() == live.tolist()  # every row is in, found by its own vector
    finally:
        service.stop()


def test_a_row_with_another_models_vector_is_encoded_from_its_text(settings):
    settings.index_mmap = False
    service = JobCircle(settings, HashingEncoder(256)).start()
    try:
        ids = service.upsert_postings(_postings(10))
        with service.db.session() as session, session.begin():
            session.execute(update(Posting).where(Posting.id == ids[3]).values(embedding=b"\0" * 16,
                                                                               embedding_model="old-model"))
        service.postings.rebuild()  # the index alone, without re-encoding stale rows first
        fresh = service.encoder.encode_documents([synced_text(service, ids[3])])[0]
        np.testing.assert_allclose(service.index.vectors([ids[3]])[0], fresh, atol=1e-6)
    finally:
        service.stop()


def synced_text(service, posting_id):
    with service.db.session() as session:
        return service.postings.spec.text_of(session.get(Posting, posting_id))
