from fastapi import APIRouter, Query

from api.deps import ServiceDep
from api.schemas.common import Text
from api.schemas.matching import MatchRequest, MatchResponse, NearbyResponse
from matcher.service import MatchFilters

router = APIRouter(tags=["匹配"])


@router.post("/match", response_model=MatchResponse, summary="粘贴简历即时匹配，不保存任何内容（任何人）")
def match(body: MatchRequest, service: ServiceDep):
    filters = MatchFilters(body.max_commute_minutes, body.min_salary, body.accessible_only)
    return service.match_text(body.resume_text, k=body.k, lat=body.lat, lon=body.lon, street=body.street,
                              address=body.address, filters=filters)


@router.get("/nearby", response_model=NearbyResponse, summary="附近的岗位和就业服务站点（任何人）")
def nearby(
    service: ServiceDep,
    lat: float | None = Query(None, ge=30.6, le=31.9, description="纬度（WGS-84）"),
    lon: float | None = Query(None, ge=120.8, le=122.2, description="经度（WGS-84）"),
    street: Text | None = Query(None, max_length=40, description="街道名称，如 曲阳路街道"),
    address: Text | None = Query(None, max_length=200, description="地址，如 虹口区四平路"),
    radius_km: float = Query(3.0, gt=0, le=20, description="半径（公里）"),
    limit: int = Query(20, ge=1, le=100),
):
    return service.nearby(lat=lat, lon=lon, street=street, address=address, radius_km=radius_km, limit=limit)
