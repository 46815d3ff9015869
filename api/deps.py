"""Dependencies: the service built once in the app's lifespan, handed to routes."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from matcher.errors import NotReady
from matcher.service import JobCircle


def get_service(request: Request) -> JobCircle:
    service: JobCircle | None = getattr(request.app.state, "service", None)
    if service is None or not service.ready:
        raise NotReady("服务正在启动（模型或索引尚未加载），请稍后再试")
    return service


Service = Annotated[JobCircle, Depends(get_service)]
