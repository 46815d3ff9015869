"""Where is it, and how far is it really: the offline place resolver and honest commute over HTTP.

No login: nothing is stored and nothing personal is returned; addresses are not logged.
"""
from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from matcher.errors import InvalidInput

router = APIRouter(prefix="/places", tags=["位置"])


class PlaceLocation(BaseModel):
    query: str | None = Field(description="输入的地址、街道名称/代码或坐标")
    lat: float | None = Field(description="WGS-84 纬度；未识别时为空")
    lon: float | None = Field(description="WGS-84 经度；未识别时为空")
    street_code: str | None = Field(description="街道/镇 9 位统计用区划代码")
    street: str | None
    district: str | None
    precision: str = Field(description="exact < neighbourhood < station < street < district < none")
    radius_km: float | None = Field(description="误差半径（公里），真实位置约九成落在此范围内")
    matched: str | None = Field(description="据以定位的名称，如 曲阳路站、科苑路、张江镇")
    note: str = Field(description="给读者看的精度说明")


class CommuteAnswer(BaseModel):
    origin: PlaceLocation
    destination: PlaceLocation
    modes: list[str]
    commute_minutes: float | None = Field(description="门到门分钟数；位置太粗时为空")
    commute_mode: str | None
    distance_km: float | None = Field(description="直线距离（公里）；位置太粗时为空，从不显示 0")
    within_15min: bool | None = Field(description="是否在15分钟服务圈内；无法判断时为空")
    travel: str = Field(description="出行说明，含地铁上车、换乘、下车站")
    location_note: str


def _locate(address: str | None, lat: float | None, lon: float | None, street: str | None, what: str) -> dict:
    from matcher.geo.places import locate

    if (lat is None) != (lon is None):
        raise InvalidInput(f"{what}：纬度 lat 与经度 lon 需同时填写", field="lat")
    if not any(v for v in (address and address.strip(), street and street.strip())) and lat is None:
        raise InvalidInput(f"{what}：请填写地址 address、街道 street 或坐标 lat/lon", field="address")
    return locate(address.strip() if address else None, lat=lat, lon=lon, street=street)


@router.get("/locate", response_model=PlaceLocation, summary="地址解析：坐标、街道与诚实的精度（离线）")
def locate_place(address: str | None = Query(None, max_length=200, description="上海地址，如 虹口区曲阳路800号"),
                 street: str | None = Query(None, max_length=40, description="街道/镇名称或代码"),
                 lat: float | None = Query(None, ge=-90, le=90), lon: float | None = Query(None, ge=-180, le=180)) -> dict:
    return _locate(address, lat, lon, street, "位置")


@router.get("/commute", response_model=CommuteAnswer, summary="两地通勤：只说位置精度允许说的话")
def commute(origin: str = Query(..., max_length=200, alias="from", description="出发地址、街道或 纬度,经度"),
            destination: str = Query(..., max_length=200, alias="to", description="目的地址、街道或 纬度,经度"),
            modes: str | None = Query(None, max_length=60,
                                      description="可用出行方式，逗号分隔：walk,cycle,metro,bus（默认 walk,cycle,metro）")) -> dict:
    from matcher.geo import resolver
    from matcher.geo.commute import assess, parse_modes

    try:
        chosen = parse_modes(modes)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="modes") from None
    a, b = _locate(origin, None, None, None, "出发地"), _locate(destination, None, None, None, "目的地")
    claim = assess(resolver.resolve(origin), resolver.resolve(destination), modes=chosen)
    out = claim.as_dict()
    return {"origin": a, "destination": b, "modes": sorted(chosen), "commute_minutes": out["commute_minutes"],
            "commute_mode": out["commute_mode"], "distance_km": out["distance_km"],
            "within_15min": out["within_15min"], "travel": out["travel"], "location_note": out["location_note"]}
