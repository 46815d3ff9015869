"""Item 2 of issue 12: parallel writes each get their own change number, and every acknowledged write
is served by every index reading the feed (this process's and another's), on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from collections import Counter as Tally

import pytest
from sqlalchemy import select

from data.schema import Posting
from matcher.inputs import PostingInput
from matcher.service import JobCircle
from matcher.settings import Settings
from models.encoder import HashingEncoder

THREADS = 24


def _create_in_parallel(service: JobCircle, n: int = THREADS) -> list[int]:
    ids: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(n)
    lock = threading.Lock()

    def create(number: int) -> None:
        try:
            start.wait()
            posting = service.create_posting(PostingInput(title=f"并发岗位{number}号 仓库管理员",
                                                          requirements="叉车证", street="曲阳路街道"))
            with lock:
                ids.append(posting["id"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(n_,)) for n_ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return ids


def _assert_all_served(writer: JobCircle, other: JobCircle, ids: list[int]) -> None:
    assert len(set(ids)) == THREADS
    with writer.db.session() as session:
        seqs = session.scalars(select(Posting.change_seq).where(Posting.id.in_(ids))).all()
    shared = [seq for seq, count in Tally(seqs).items() if count > 1]
    assert not shared, f"postings share change numbers {shared}"
    for service in (writer, other):
        service.refresh(force=True)
        missing = [i for i in ids if i not in service.catalog]
        assert not missing, f"acknowledged postings never served: {missing}"
        assert len(service.index) == len(service.catalog)
    assert len(writer.index) == len(other.index)
    for posting_id in ids:
        assert writer.get_posting(posting_id)["id"] == posting_id


def _pair(settings_a: Settings, settings_b: Settings) -> tuple[JobCircle, JobCircle]:
    return JobCircle(settings_a, HashingEncoder(256)).start(), JobCircle(settings_b, HashingEncoder(256)).start()


def test_parallel_creates_are_all_served_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    kwargs = dict(database_url=url, encoder="hashing-256", refresh_interval_s=0.0, occupation_coding=False)
    writer, other = _pair(Settings(data_dir=tmp_path / "a", **kwargs), Settings(data_dir=tmp_path / "b", **kwargs))
    try:
        ids = _create_in_parallel(writer)
        _assert_all_served(writer, other, ids)
    finally:
        writer.stop()
        other.stop()


@pytest.mark.postgres
def test_parallel_creates_are_all_served_on_postgresql(tmp_path, pg_database):
    kwargs = dict(database_url=pg_database, encoder="hashing-256", refresh_interval_s=0.0, occupation_coding=False)
    writer, other = _pair(Settings(data_dir=tmp_path / "a", **kwargs), Settings(data_dir=tmp_path / "b", **kwargs))
    try:
        ids = _create_in_parallel(writer)
        _assert_all_served(writer, other, ids)
    finally:
        writer.stop()
        other.stop()


def test_a_reader_never_skips_a_number_committed_late(service):
    """A refresh that reads the counter after the rows must not jump over rows it did not read."""
    first = service.create_posting(PostingInput(title="先提交的岗位 保洁员", street="曲阳路街道"))
    assert first["id"] in service.catalog
    synced = service.postings
    calls = {"n": 0}
    original = synced._rows_since

    def rows_then_a_write(session, since):
        rows = original(session, since)
        if calls["n"] == 0:
            calls["n"] += 1
            # Another writer commits between the reader's statements.
            service.parts.posting_writer.on_change, saved = (lambda: None), service.parts.posting_writer.on_change
            try:
                late.append(service.create_posting(PostingInput(title="后提交的岗位 快递员", street="曲阳路街道"))["id"])
            finally:
                service.parts.posting_writer.on_change = saved
        return rows

    late: list[int] = []
    synced._rows_since = rows_then_a_write
    service.create_posting(PostingInput(title="触发刷新的岗位 厨师", street="曲阳路街道"))
    synced._rows_since = original
    service.refresh(force=True)
    assert late and late[0] in service.catalog
