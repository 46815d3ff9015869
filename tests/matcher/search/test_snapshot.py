"""The start-up snapshot: a worker loads the catalog and lexical index instead of reading every row, and
what changed after the snapshot was written is still served (the change feed catches it up)."""
import pickle

import pytest

from matcher.inputs import PostingInput
from matcher.search import snapshot
from matcher.service import JobCircle
from models.encoder import HashingEncoder

POSTINGS = [
    PostingInput(title="电焊工", requirements="持焊工证，会氩弧焊", street="曲阳路街道", salary="7000元/月"),
    PostingInput(title="社区食堂厨师", requirements="持健康证，会炒菜", street="欧阳路街道"),
    PostingInput(title="保洁员", requirements="能吃苦，会使用清洁设备", street="广中路街道"),
    PostingInput(title="叉车司机", requirements="持叉车证，能倒班", street="嘉兴路街道"),
]
QUERIES = ["会氩弧焊，有焊工证", "想做仓库理货，会开叉车", "做过食堂厨师", "保洁 清洁设备"]


@pytest.fixture
def loads(monkeypatch):
    """The versions `snapshot.load` handed out (None: nothing usable)."""
    seen = []
    original = snapshot.load

    def spy(directory, *, model):
        got = original(directory, model=model)
        seen.append(None if got is None else got[0])
        return got

    monkeypatch.setattr(snapshot, "load", spy)
    return seen


def _answers(service):
    out = {}
    for text in QUERIES:
        found = service.match_text(text, k=10)
        out[text] = [(r["posting_id"], r["title"], round(r["score"], 6)) for r in found["results"]]
        out[text + " lexical"] = sorted(service.parts.postings.lexical.search(text, 10).items())
    return out


def test_a_worker_started_from_an_old_snapshot_serves_what_changed_after_it(settings, loads):
    first = JobCircle(settings, HashingEncoder(256)).start()
    second = None
    try:
        ids = first.upsert_postings(POSTINGS)
        first.parts.postings.save()  # the snapshot is written here ...
        assert (settings.index_dir / snapshot.FILE).stat().st_mode & 0o777 == 0o600
        first.update_posting(ids[0], {"title": "仓库理货员", "requirements": "会开叉车，能上夜班"})  # ... not after
        first.close_posting(ids[2])
        first.upsert_postings([PostingInput(title="焊工学徒", requirements="愿意学氩弧焊", street="曲阳路街道")])
        first.parts.postings._save_index()  # the vector index is saved again, newer than the snapshot
        second = JobCircle(settings, HashingEncoder(256)).start()
        assert loads and loads[-1] is not None and loads[-1] < second.parts.postings.version
        assert _answers(second) == _answers(first)
        titles = {r[1] for rows in _answers(second).values() for r in rows if len(r) == 3}
        assert "仓库理货员" in titles and "保洁员" not in titles and "焊工学徒" in titles
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_a_snapshot_from_other_code_or_ahead_of_the_database_is_not_used(settings, loads):
    service = JobCircle(settings, HashingEncoder(256)).start()
    service.upsert_postings(POSTINGS)
    expected = _answers(service)
    service.stop()
    path = settings.index_dir / snapshot.FILE
    with open(path, "rb") as handle:
        header, body = pickle.load(handle), pickle.load(handle)
    for changed in ({"code": "0" * 16}, {"version": header["version"] + 1000}):
        with open(path, "wb") as handle:
            pickle.dump(header | changed, handle)
            pickle.dump(body, handle)
        restarted = JobCircle(settings, HashingEncoder(256)).start()
        try:
            assert _answers(restarted) == expected
            assert restarted.parts.postings.version == header["version"]
        finally:
            restarted.stop()
        with open(path, "rb") as handle:  # the refused file was replaced by a good one
            assert pickle.load(handle) == header
    assert loads[0] is None  # other code: refused by the header
    path.write_bytes(b"not a pickle")
    restarted = JobCircle(settings, HashingEncoder(256)).start()
    try:
        assert _answers(restarted) == expected
    finally:
        restarted.stop()
