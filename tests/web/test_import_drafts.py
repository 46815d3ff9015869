"""Workbench import drafts live in the database: a preview survives a restart and can be confirmed
from another worker; only the counsellor who uploaded it (at that station) sees it; it expires."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from api.app import create_app
from data.schema import Posting
from matcher.counsellor import access
from matcher.service import JobCircle
from models.encoder import HashingEncoder
from tests.web.test_pages import _settings, csrf_of, demo, demo_data, sign_in  # noqa: F401 (fixtures)

SHEET = ("岗位编号,岗位名称,薪资,街道,岗位描述\n"
         "DR-1,超市理货员,5000-6000,曲阳路街道,负责商品上架\n"
         "DR-2,快递分拣员,6000,曲阳路街道,夜班分拣\n")


def upload(client) -> tuple[str, str]:
    page = client.get("/workbench/import").text
    response = client.post("/workbench/import", data={"csrf": csrf_of(page), "kind": "postings"},
                           files={"file": ("岗位.csv", SHEET.encode("utf-8"), "text/csv")})
    assert response.status_code == 200, response.text
    draft_id = re.search(r'action="/workbench/import/([^/"]+)/confirm"', response.text).group(1)
    return draft_id, csrf_of(response.text)


def postings(service) -> int:
    with service.db.session() as session:
        return session.scalar(select(func.count()).select_from(Posting).where(Posting.external_id.like("DR-%")))


def test_a_draft_survives_a_restart_and_is_confirmed_by_another_worker(demo):
    client, service, tokens = demo
    sign_in(client, tokens["counsellor"])
    draft_id, _csrf = upload(client)
    with service.db.session() as session:  # stored with its owner, station and expiry
        row = session.execute(text("SELECT user_id, station_id, expires_at, state FROM import_drafts WHERE id = :i"),
                              {"i": draft_id}).one()
        owner = access.authenticate(session, tokens["counsellor"])
    assert row.user_id == owner.user_id and row.station_id in owner.station_ids
    assert row.expires_at is not None and row.state == "preview"

    # A second server process on the same database (a restart, or another worker) knows the draft.
    settings = _settings(service.settings.data_dir)
    other = JobCircle(settings, HashingEncoder(256)).start()
    try:
        with TestClient(create_app(settings, service=other)) as second:
            page = sign_in(second, tokens["counsellor"]).text
            shown = second.get(f"/workbench/import/{draft_id}")
            assert shown.status_code == 200 and "岗位.csv" in shown.text
            done = second.post(f"/workbench/import/{draft_id}/confirm", data={"csrf": csrf_of(page)},
                               follow_redirects=False)
            assert done.status_code == 303
            second.app.state.import_drafts.wait(draft_id)
            progress = second.get(f"/workbench/import/{draft_id}").text
            assert "导入完成：写入 2 行" in progress
    finally:
        other.stop()
    assert postings(service) == 2
    # The first process shows the same finished state, and the file itself is no longer kept.
    assert "导入完成：写入 2 行" in client.get(f"/workbench/import/{draft_id}").text
    with service.db.session() as session:
        assert session.execute(text("SELECT content FROM import_drafts WHERE id = :i"), {"i": draft_id}).scalar() is None


def test_another_counsellor_cannot_see_or_confirm_a_draft(demo):
    client, service, tokens = demo
    sign_in(client, tokens["counsellor"])
    draft_id, _ = upload(client)
    with service.db.session() as session, session.begin():
        owner = access.authenticate(session, tokens["counsellor"])
        _, colleague = access.add_user(session, name="同站援助员", role="counsellor", station_ids=sorted(owner.station_ids))
    client.cookies.clear()
    page = sign_in(client, colleague).text
    assert client.get(f"/workbench/import/{draft_id}").status_code == 404
    refused = client.post(f"/workbench/import/{draft_id}/confirm", data={"csrf": csrf_of(page)})
    assert refused.status_code == 404 and "找不到这次导入" in refused.text
    assert postings(service) == 0


def test_an_expired_draft_is_refused_and_its_file_removed(demo):
    client, service, tokens = demo
    sign_in(client, tokens["counsellor"])
    draft_id, csrf = upload(client)
    with service.db.session() as session, session.begin():
        session.execute(text("UPDATE import_drafts SET expires_at = :t WHERE id = :i"),
                        {"t": datetime.now(timezone.utc) - timedelta(minutes=1), "i": draft_id})
    refused = client.post(f"/workbench/import/{draft_id}/confirm", data={"csrf": csrf})
    assert refused.status_code == 404 and "已过期" in refused.text
    assert postings(service) == 0
    upload(client)  # the next upload clears expired previews
    with service.db.session() as session:
        assert session.execute(text("SELECT count(*) FROM import_drafts WHERE id = :i"), {"i": draft_id}).scalar() == 0


def test_migration_0008_matches_the_model_and_downgrades(tmp_path):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    import data.all_tables  # noqa: F401
    from data import db
    from data.schema import Base

    engine = db.make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    db.migrate(engine)
    assert "import_drafts" in inspect(engine).get_table_names()
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert [d for d in diff if "import_drafts" in str(d)] == []
    with engine.begin() as connection:
        cfg = db.alembic_config(engine)
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0007_import_jobs")
    assert "import_drafts" not in inspect(engine).get_table_names()
    engine.dispose()
