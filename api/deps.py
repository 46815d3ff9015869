"""Dependencies: the service built once in the app's lifespan, handed to routes."""
from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from matcher.counsellor.desk import CounsellorDesk
from matcher.errors import NotReady
from matcher.service import JobCircle

_desk_lock = threading.Lock()


def get_service(request: Request) -> JobCircle:
    service: JobCircle | None = getattr(request.app.state, "service", None)
    if service is None or not service.ready:
        raise NotReady("服务正在启动（模型或索引尚未加载），请稍后再试")
    return service


Service = Annotated[JobCircle, Depends(get_service)]


def get_desk(request: Request, service: Service) -> CounsellorDesk:
    """The counsellors' side over the running service, built on first use (it loads the seeker index)."""
    desk: CounsellorDesk | None = getattr(request.app.state, "desk", None)
    if desk is None or desk.service is not service:
        with _desk_lock:
            desk = getattr(request.app.state, "desk", None)
            if desk is None or desk.service is not service:
                desk = CounsellorDesk(service).start()
                request.app.state.desk = desk
    return desk


Desk = Annotated[CounsellorDesk, Depends(get_desk)]
