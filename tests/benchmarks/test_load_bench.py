"""The load benchmark's data and load generator: grown postings are stored as the product stores them
(served after a refresh, each a distinct row with its own change number), and the generator counts
what a real server answered."""
import asyncio
import threading
import time

import numpy as np
import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select

from benchmarks.load_bench import _drive, _free_port, grow
from cli.main import seed_demo
from data.schema import Posting
from matcher.service import JobCircle
from models.encoder import HashingEncoder


def test_grown_postings_are_product_rows_served_by_the_index(settings):
    service = JobCircle(settings, HashingEncoder(256)).start()
    try:
        seed_demo(service, progress=False)
        assert grow(service, 800, log=lambda *a, **k: None) == 800
        service.refresh(force=True)
        assert len(service.index) == 800
        with service.db.session() as session:
            seqs = session.scalars(select(Posting.change_seq)).all()
            copies = session.scalar(select(func.count()).where(Posting.external_id.like("LOAD-%")))
            copy = session.scalar(select(Posting).order_by(Posting.id.desc()).limit(1))
            original = session.scalar(select(Posting).where(Posting.title == copy.title,
                                                            Posting.external_id.not_like("LOAD-%")).limit(1))
        assert len(set(seqs)) == len(seqs) and copies == 800 - 520
        a, b = np.frombuffer(copy.embedding, np.float32), np.frombuffer(original.embedding, np.float32)
        assert 0.5 < float(a @ b) < 0.99999  # noisy, not identical, still close to its template
        result = service.match_seeker(1, 10)
        assert result["results"]
    finally:
        service.stop()


def test_the_load_generator_counts_what_the_server_answered():
    app = FastAPI()
    hits = []

    @app.get("/ping")
    def ping():
        hits.append(1)
        return {"ok": True}

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:  # start-up, not a timing assertion
        assert thread.is_alive()
        time.sleep(0.01)
    try:
        result = asyncio.run(_drive({"host": "127.0.0.1", "port": port, "paths": ["/ping", "/missing"], "clients": 2,
                                     "duration": 0.5}))
    finally:
        server.should_exit = True
        thread.join()
    assert result["requests_ok"] == len(hits) > 0
    assert set(result["statuses"]) == {"200", "404"} and result["requests_failed"] == result["statuses"]["404"]
