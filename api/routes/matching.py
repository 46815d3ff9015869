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


@router.get("/nearby", response_model=NearbyResponse,
            summary="附近的岗位、就业服务站点、培训和即将举办的活动（任何人）：各附通勤估算",
            description="一个地点附近的岗位（jobs）、服务站点（stations）、培训（trainings）和活动（events），用 kinds 选择，"
                        "默认全部。每项附通勤估算；地点只精确到区时不给分钟数、距离和“15分钟内”的判断。"
                        "已结束的活动从不列出；报名已截止、已开班或已满员的培训标明 registration_open=false，不会显示为可报名。")
def nearby(
    service: ServiceDep,
    lat: float | None = Query(None, ge=30.6, le=31.9, description="纬度（WGS-84）"),
    lon: float | None = Query(None, ge=120.8, le=122.2, description="经度（WGS-84）"),
    street: Text | None = Query(None, max_length=40, description="街道名称，如 曲阳路街道"),
    address: Text | None = Query(None, max_length=200, description="地址，如 虹口区四平路"),
    kinds: Text | None = Query(None, max_length=60, description="类别，逗号分隔：jobs,stations,trainings,events（默认全部）"),
    radius_km: float = Query(3.0, gt=0, le=20, description="半径（公里）"),
    modes: Text | None = Query(None, max_length=60, description="出行方式，逗号分隔：walk,cycle,metro,bus（默认全部）"),
    limit: int = Query(20, ge=1, le=100, description="每类最多返回几项"),
):
    from matcher.activities.nearby import nearby as nearby_all

    return nearby_all(service, lat=lat, lon=lon, street=street, address=address, kinds=kinds, radius_km=radius_km,
                      modes=modes, limit=limit)
