"""The synced index in a running service: rebuilt on a corrupt file, updates never found under old text."""
import numpy as np
import pytest

from matcher.inputs import PostingInput
from matcher.search.sides import vector_of
from matcher.service import JobCircle
from models.encoder import HashingEncoder

WELDER = PostingInput(title="电焊工", requirements="持焊工证，会氩弧焊", street="曲阳路街道")
COOK = PostingInput(title="社区食堂厨师", requirements="持健康证，会炒菜", street="欧阳路街道")
CLEANER = PostingInput(title="保洁员", requirements="能吃苦，会使用清洁设备", street="广中路街道")


@pytest.mark.parametrize("factory", ["Flat", "HNSW32", "IVF16,Flat", "IVF16,SQ8+rerank"])
def test_an_updated_posting_is_found_only_under_its_new_text(settings, factory):
    settings.index_factory = factory
    service = JobCircle(settings, HashingEncoder(256)).start()
    try:
        ids = service.upsert_postings([WELDER, COOK, CLEANER])
        old = service.encoder.encode_queries(["电焊工 持焊工证，会氩弧焊"])[0]
        service.update_posting(ids[0], {"title": "仓库理货员", "requirements": "会使用叉车，能上夜班"})
        scores, found = service.index.search(old[None, :], 3)
        stored = {int(i): float(s) for s, i in zip(scores[0], found[0]) if i >= 0}
        with service.db.session() as session:
            from data.schema import Posting

            new_vector = vector_of(session.get(Posting, ids[0]).embedding, 256)
        # Whatever score it gets now is the new text's, never the old one's.
        if ids[0] in stored:
            assert stored[ids[0]] == pytest.approx(float(new_vector @ old), abs=2e-3 if "rerank" in factory else 1e-5)
        assert len(service.index) == 3
    finally:
        service.stop()


def test_a_corrupted_index_file_is_rebuilt_from_the_database(settings):
    first = JobCircle(settings, HashingEncoder(256)).start()
    ids = first.upsert_postings([WELDER, COOK, CLEANER])
    query = first.encoder.encode_queries(["焊工证 氩弧焊 电焊"])[0]
    before = first.index.search(query[None, :], 3)
    first.stop()
    path = settings.index_dir / "index.faiss"
    data = bytearray(path.read_bytes())
    data[-300:-200] = bytes(100)  # same length, vectors changed: FAISS would read it happily
    path.write_bytes(bytes(data))
    second = JobCircle(settings, HashingEncoder(256)).start()
    try:
        after = second.index.search(query[None, :], 3)
        assert after[1][0].tolist() == before[1][0].tolist()
        np.testing.assert_allclose(after[0], before[0], atol=1e-6)
        assert second.index.search(query[None, :], 1)[1][0, 0] == ids[0]
    finally:
        second.stop()


def test_posting_and_seeker_indexes_share_one_engine(service):
    from matcher.search.synced import SyncedIndex

    assert isinstance(service.postings, SyncedIndex) and isinstance(service.seekers, SyncedIndex)
    assert type(service.postings) is type(service.seekers)


def test_seeker_index_reuses_stored_vectors_and_reloads_after_a_restart(settings):
    from matcher.inputs import SeekerInput

    class CountingEncoder(HashingEncoder):
        calls = 0

        def encode_documents(self, texts, *, show_progress=False):
            CountingEncoder.calls += len(texts)
            return super().encode_documents(texts)

    first = JobCircle(settings, CountingEncoder(256)).start()
    first.upsert_seekers([SeekerInput(resume_text=f"会开叉车，做过{n}年仓库理货", consent=True) for n in range(1, 6)])
    CountingEncoder.calls = 0
    first.parts.start_seekers()
    assert len(first.seekers) == 5 and CountingEncoder.calls == 0  # vectors tagged for this list: reused
    first.stop()
    second = JobCircle(settings, CountingEncoder(256)).start()
    second.parts.start_seekers()
    assert len(second.seekers) == 5 and second.seekers.version == first.seekers.version
    assert CountingEncoder.calls == 0
    second.stop()


def test_a_service_can_be_built_on_components_built_once(settings):
    from matcher.components import Components

    parts = Components.build(settings, HashingEncoder(256))
    service = JobCircle(settings, components=parts).start()
    try:
        posting_id = service.create_posting(COOK)["id"]
        assert service.db is parts.db and service.match_text("持健康证，会炒菜", k=1)["results"][0]["posting_id"] == posting_id
    finally:
        service.stop()
