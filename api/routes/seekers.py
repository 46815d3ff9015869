from fastapi import APIRouter, Path, Query

from api.deps import Service
from api.schemas import MatchResponse, SeekerCreate, SeekerUpdate
from matcher.service import MatchFilters

router = APIRouter(prefix="/seekers", tags=["求职者"])
SeekerId = Path(ge=1, description="求职者编号")


@router.post("", status_code=201, summary="登记求职者（需本人同意；站点工作人员或本人）")
def create_seeker(body: SeekerCreate, service: Service) -> dict:
    return service.create_seeker(body)


@router.get("/{seeker_id}", summary="查看求职者（本人或所属站点工作人员）")
def get_seeker(service: Service, seeker_id: int = SeekerId) -> dict:
    return service.get_seeker(seeker_id)


@router.patch("/{seeker_id}", summary="修改求职者信息（本人或所属站点工作人员）")
def update_seeker(body: SeekerUpdate, service: Service, seeker_id: int = SeekerId) -> dict:
    return service.update_seeker(seeker_id, body.model_dump(exclude_unset=True))


@router.get("/{seeker_id}/matches", response_model=MatchResponse, summary="为求职者推荐岗位（本人或所属站点工作人员）")
def seeker_matches(
    service: Service,
    seeker_id: int = SeekerId,
    k: int = Query(10, ge=1, le=100, description="返回条数"),
    max_commute_minutes: float | None = Query(None, ge=5, le=180, description="最长通勤分钟数，默认取求职者登记值"),
    min_salary: float | None = Query(None, ge=0, le=200000, description="最低月薪（元）"),
    accessible_only: bool = Query(False, description="只看适合残疾人的岗位"),
) -> dict:
    filters = MatchFilters(max_commute_minutes, min_salary, accessible_only)
    return {"results": service.match_seeker(seeker_id, k, filters)}
