"""Parse a free-text Shanghai address into its parts, without looking anything up.

    上海市浦东新区张江镇科苑路88号(近金海路)3号楼  ->
    district=浦东新区, town=张江镇, road=科苑路, number=88, cross_roads=[金海路], building=3号楼

Only the shape of the text is used here; `matcher.geo.resolver` decides what the parts mean. A name in
brackets after a road ("(金海路)", "(近金海路)", "(金海路口)") is a cross road, not a station.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

CJK = "\u4e00-\u9fff"
ROAD_SUFFIX = r"(?:公路|大道|大街|路|街|道|巷|浜|塘)"
# A road: 2-10 CJK/digit characters ending in a road suffix, not itself part of a longer road name.
ROAD_RE = re.compile(rf"([{CJK}A-Za-z0-9一二三四五六七八九十]{{1,10}}?{ROAD_SUFFIX})(?=[0-9０-９]|[(（]|近|与|和|交|口|$|[,，、 ]|[东西南北]侧|靠)")
ROAD_ANY_RE = re.compile(rf"([{CJK}0-9一二三四五六七八九十]{{2,10}}?{ROAD_SUFFIX})")
NUMBER_RE = re.compile(r"([0-9]+)(?:[-－][0-9]+)?号(?!线)")
LANE_RE = re.compile(r"([0-9]+)弄")
BRACKET_RE = re.compile(r"[(（]([^()（）]*)[)）]")
STATION_RE = re.compile(rf"(?:地铁|轨交|轨道交通)?(?:[0-9]+号线)?([{CJK}0-9]{{2,10}}?)(?:地铁)?站")
TOWN_RE = re.compile(rf"([{CJK}]{{2,8}}?(?:街道|镇|乡))")
DISTRICT_ALIASES = {  # old or colloquial names still seen in addresses
    "卢湾区": "黄浦区", "闸北区": "静安区", "南汇区": "浦东新区", "崇明县": "崇明区", "浦东区": "浦东新区",
}
NOISE = ("上海市", "上海", "中国")


@dataclass
class ParsedAddress:
    text: str
    district: str | None = None  # official name, e.g. 浦东新区
    town: str | None = None  # a 街道/镇/乡 name as written
    road: str | None = None  # the main road (the one carrying the number)
    number: int | None = None
    lane: int | None = None
    # The number written right after the main road (沪闵路1320号, 锦秋路1601弄, 春申路2318): where along
    # the road the place is. A lane (弄) number is a house number of the road too.
    road_number: int | None = None
    cross_roads: list[str] = field(default_factory=list)  # roads in brackets or after 近/与
    stations: list[str] = field(default_factory=list)  # names written as a station ("曲阳路站", "地铁人民广场")
    building: str | None = None  # what follows the number: building, campus, 小区
    rest: str = ""  # the text with district/town removed (for neighbourhood look-ups)


def normalise(text: str) -> str:
    text = (text or "").strip()
    text = text.translate(str.maketrans("０１２３４５６７８９（）　", "0123456789() "))
    return re.sub(r"\s+", "", text)


def parse(text: str, district_names: list[str]) -> ParsedAddress:
    """Split an address; `district_names` are the official district names (黄浦区 ... 崇明区)."""
    raw = normalise(text)
    out = ParsedAddress(text=raw)
    body = raw
    for noise in NOISE:
        if body.startswith(noise):
            body = body[len(noise):]
            break
    for alias, official in DISTRICT_ALIASES.items():
        if alias in body:
            out.district = official
            body = body.replace(alias, "", 1)
    if out.district is None:
        for name in sorted(district_names, key=len, reverse=True):
            short = re.sub(r"(新区|区)$", "", name)
            for variant in (name, short + "区", short + "新区"):
                if variant in body:
                    out.district = name
                    body = body.replace(variant, "", 1)
                    break
            if out.district:
                break
            if body.startswith(short) and len(short) >= 2:
                out.district = name
                body = body[len(short):]
                break
    town = TOWN_RE.match(body)
    if town:
        out.town = town.group(1)
        body = body[town.end():]
    out.rest = body

    # Bracketed parts: a road in brackets is a cross road; anything else is a building or landmark hint.
    brackets = BRACKET_RE.findall(body)
    main = BRACKET_RE.sub(" ", body)
    for part in brackets:
        for road in ROAD_RE.findall(part.replace("近", "").replace("靠近", "") + " "):
            if road not in out.cross_roads:
                out.cross_roads.append(road)
    for match in STATION_RE.finditer(raw):
        name = match.group(1)
        prefix = raw[max(0, match.start() - 2):match.start()]
        explicit = "地铁" in match.group(0) or "轨交" in match.group(0) or "号线" in match.group(0)
        # "…加油站" / "…充电站" / "服务站" are not metro stations.
        if name.endswith(("加油", "充电", "服务", "工作", "汽车", "公交", "客运", "火车", "派出所", "消防", "中转")):
            continue
        if explicit or re.search(r"(路|公路|大道|新村|公园|广场)$", name):
            out.stations.append(re.sub(r"^(地铁|轨交|轨道交通)", "", name))
        del prefix
    roads = ROAD_RE.findall(main + " ") or ROAD_ANY_RE.findall(main)[:1]
    roads = [r for r in roads if not r.endswith(("街道",))]
    if roads:
        out.road = _clean_road(roads[0])
        for extra in roads[1:]:
            extra = _clean_road(extra)
            if extra not in out.cross_roads and extra != out.road:
                out.cross_roads.append(extra)
    out.cross_roads = [_clean_road(r) for r in out.cross_roads]
    lane = LANE_RE.search(main)
    if lane:
        out.lane = int(lane.group(1))
    number = NUMBER_RE.search(main)
    if number:
        out.number = int(number.group(1))
    if out.road:
        after = re.search(re.escape(out.road) + r"([0-9]+)(?:[-－~～之][0-9]+)*(?:号|弄|$|(?=[^0-9]))", main)
        if after:
            out.road_number = int(after.group(1))
    ends = [m.end() for m in (lane, number) if m]
    tail = main[max(ends):].strip(" ,，") if ends else ""
    if not tail and out.road and not ends:
        tail = main.split(out.road, 1)[-1].strip(" ,，")
    if tail:
        out.building = tail
    return out


def _clean_road(road: str) -> str:
    """Drop a leading connective left by the regex ("近金海路" -> "金海路", "与张江路" -> "张江路")."""
    road = re.sub(r"^.*?(地铁|轨交|轨道交通|[0-9]+号线)+", "", road)
    return re.sub(r"^(靠近|近|与|和|交|沿|临)", "", road)
