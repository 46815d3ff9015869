"""The FastAPI application factory: `create_app(settings)` builds the service, the counsellors' desk and
the interview service once, in the lifespan; routes pick them up through the aliases in `api.deps`."""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api.routes import activities  # trainings and events (issue 14)
from api import errors, web
from api.limits import BodyLimit, RateLimit
from api.routes import (admin, counsellors, health, imports, interviews, ledger, matching, occupations, places,
                        postings, seekers, stations)
from api.schemas.common import EVERY_ROUTE
from api.tokens import ForgetTokensOnWrite, TokenCache
from matcher.activities.finder import training_finder  # interview report -> trainings (issue 14)
from matcher.counsellor.desk import CounsellorDesk
from matcher.interview.service import InterviewService
from matcher.jobs import ImportJobs
from matcher.service import JobCircle
from matcher.settings import Settings
from models.encoder import Encoder

ROUTERS = (health, postings, seekers, matching, imports, interviews, occupations, counsellors, stations, ledger, places,
           admin)


def create_app(settings: Settings | None = None, *, encoder: Encoder | None = None, service: JobCircle | None = None,
               coder=None, commute=None) -> FastAPI:
    settings = settings or (service.settings if service is not None else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.service = service or JobCircle(settings, encoder, coder=coder, commute=commute)
        if not app.state.service.ready:
            app.state.service.start()
        # The counsellors' side (seeker index) is built here too, not on the first request.
        app.state.desk = CounsellorDesk(app.state.service).start()
        app.state.interviews = InterviewService(app.state.service.db, lambda: app.state.service.encoder,
                                                training_finder=training_finder(app.state.service.db))
        app.state.imports = ImportJobs(app.state.service, desk=app.state.desk).start()
        yield
        app.state.imports.stop()
        app.state.desk.stop()
        app.state.service.stop()

    app = FastAPIOffline(  # /docs and /redoc from local files: a station's intranet has no internet
        title="jobcircle 15分钟就业服务圈 岗位匹配服务",
        description="为社区就业服务站点提供岗位与求职者的智能匹配。所有匹配结果附带评分明细和中文推荐理由。",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    # Outermost first: throttle before reading anything, then count the body as it arrives.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimit, per_token=settings.rate_limit_per_token, per_client=settings.rate_limit_per_client,
                       workers=settings.workers)
    app.state.token_cache = TokenCache(settings.token_cache_s, data_dir=settings.data_dir)
    app.add_middleware(ForgetTokensOnWrite, data_dir=settings.data_dir, cache=app.state.token_cache)
    errors.install(app)
    for module in ROUTERS:
        app.include_router(module.router, responses=EVERY_ROUTE)
    app.include_router(activities.router, responses=EVERY_ROUTE)
    web.install(app)  # the workbench pages at / (api/web)
    return app


def app_from_env() -> FastAPI:
    """uvicorn factory for worker processes (`jobcircle serve --workers N`): settings from `JOBCIRCLE_*`.
    Each worker maps the same saved index files (see matcher/search/mapped.py)."""
    return create_app(Settings())
