"""What a resume says about the work wanted, and what a posting makes a condition of hiring.

- `intent(text)`: the work the seeker wants (求职意向, 想做/想找/想转做…), the work they did before
  (以前做…, 做了N年…) and the role titles of the resume's timeline; these, not the resume's opening
  characters, are what gets occupation-coded.
- `denied_certificates(text, spans)`: certificates the resume explicitly says it lacks (没有电工证,
  叉车证没考, 教师资格证还没考出来); they are removed from what the seeker holds.
- `rules_out_nights(text)`: 只能白班, 不能上夜班, 只想做白天的活…
- `required_certificates(text, spans)`: a posting's certificates that are conditions, not 优先 wishes.
- `is_soft(skill)`: soft traits (耐心细致, 服务意识, 吃苦耐劳) are never requirements.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from matcher.text.normalise import fold

_STOP = r"[，,。；;！!？?\n]"
_CLAUSE = r"[^，,。；;！!？?\n]"
_INTENT_LABEL = re.compile(r"(?:求职意向|期望职位|期望岗位|意向岗位|意向职位|应聘岗位|应聘职位|求职岗位|目标岗位|期望工作)\s*[:：]\s*"
                           rf"({_CLAUSE}{{1,30}})")
_WANT = re.compile(r"(?:想|希望|打算|准备|愿意|想要|只想)(?:转行|转)?(?:去|再)?(?:做|找|从事|干|学|应聘|当|转做|转行做|找一份|找份|去做)"
                   rf"(?:一份|一个|个|点)?({_CLAUSE}{{1,20}})")
_WANT_AT = re.compile(rf"(?:想|希望|打算)在({_CLAUSE}{{1,16}}?)(?:工作|上班|做事)")
_FORMER = re.compile(r"(?:以前|之前|原来|曾经|过去|先前)(?:在[^，,。；;\n]{1,10})?(?:做|干|跑|当)(?:了|过)?"
                     rf"(?:[\d一二两三四五六七八九十几多半]+年)?(?:的)?({_CLAUSE}{{1,12}})")
_DID_YEARS = re.compile(r"(?:做|干|跑|当)(?:了|过)(?:[\d一二两三四五六七八九十几多半]+年)(?:的)?"
                        rf"({_CLAUSE}{{1,12}})")
_TRAILING = re.compile(r"(?:的工作|的活儿?|之类的?|等工作|等|方面的?|相关|工作|的岗位|岗位|的事|了|吧|啊|呢)+$")
_LEADING = re.compile(r"^(?:一名|一个|一份|个|做|当|些|坐办公室的|轻松的|稳定的|简单的|轻松点的|离家近的)+")
_NOT_WORK = re.compile(r"^(?:从学徒做起|学徒|坐办公室|稳定|轻松|离家近|白天|白班|长期)")

_DENY_BEFORE = re.compile(r"(?:没有|没|无|未取得|未考|没考|还没有|暂无|尚无|尚未取得|不持有|没拿到)\s*$")
_DENY_AFTER = re.compile(r"^\s*(?:也)?(?:还)?(?:没有?|未)(?:考|拿|取得|办)")
_DAY_ONLY = re.compile(
    r"只(?:能|想|做|上|接受)(?:上|做)?(?:长)?(?:白班|白天)|(?:不能|不接受|不上|不做|无法|不想)(?:上|做)?(?:夜班|倒班|晚班|通宵)"
    r"|晚上(?:要|得|需要)(?:接|照顾|带|陪)")
_PREFERRED_AFTER = re.compile(r"^[^，,。；;\n]{0,6}?(?:优先|者优先|更好|加分)")
_CERTIFICATE_FAMILIES = {"教资": "教师资格证"}


@dataclass(frozen=True)
class Intent:
    wanted: tuple[str, ...] = ()
    former: tuple[str, ...] = ()
    timeline: tuple[str, ...] = ()
    did: tuple[str, ...] = field(default=())

    @property
    def changing(self) -> bool:
        """A stated change of work: something wanted and something left behind."""
        return bool(self.wanted and self.former)

    def titles(self) -> tuple[str, ...]:
        """What to occupation-code, in order of authority: the wanted work, else the timeline, else what was done."""
        return self.wanted or self.timeline or self.did


def _clean(phrase: str) -> str:
    phrase = _LEADING.sub("", phrase.strip())
    phrase = re.split(r"(?:，|,|。|或者|还是|也能|也可以)", phrase)[0]
    return _TRAILING.sub("", phrase).strip()


def _unique(items) -> tuple[str, ...]:
    out: list[str] = []
    for item in items:
        if item and len(item) >= 2 and not _NOT_WORK.match(item) and item not in out:
            out.append(item)
    return tuple(out)


def intent(text: str, timeline_roles=()) -> Intent:
    """The wanted work, the former work and the timeline titles of a resume (empty when it says none)."""
    norm = fold(text or "")
    wanted = [_clean(m.group(1)) for m in _INTENT_LABEL.finditer(norm)]
    wanted += [_clean(m.group(1)) for m in _WANT.finditer(norm)]
    wanted += [_clean(m.group(1)) for m in _WANT_AT.finditer(norm)]
    # "想找电工的活" / "想做行政" / "想在幼儿园或早教机构工作": split alternatives into titles.
    split: list[str] = []
    for phrase in wanted:
        split += [p for p in re.split(r"或|和|、|/|及", phrase) if p]
    former = [_clean(m.group(1)) for m in _FORMER.finditer(norm)]
    did = [_clean(m.group(1)) for m in _DID_YEARS.finditer(norm)]
    if split and not former:
        # "做了十年厨师，…想找仓库管理": work done in years, before the wish, is the former work.
        first_wish = min((m.start() for r in (_WANT, _INTENT_LABEL) for m in r.finditer(norm)), default=len(norm))
        former = [_clean(m.group(1)) for m in _DID_YEARS.finditer(norm) if m.end() <= first_wish]
    wanted_t = _unique(_clean(p) for p in split)
    return Intent(wanted=wanted_t, former=tuple(f for f in _unique(former) if f not in wanted_t),
                  timeline=_unique(timeline_roles), did=_unique(did))


def strip_former(text: str, found: Intent) -> str:
    """The resume without the clauses naming work left behind (only when the resume says it changes work)."""
    if not found.changing:
        return text
    return _FORMER.sub("", text)


def denied_certificates(text: str, spans) -> list[str]:
    """Canonical certificates the resume says it lacks: 没有电工证, 叉车证没考, 教师资格证还没考出来."""
    norm = fold(text or "")
    denied = []
    for span in spans:
        before, after = norm[max(0, span.start - 6):span.start], norm[span.end:span.end + 8]
        if _DENY_BEFORE.search(before) or _DENY_AFTER.search(after):
            if span.value not in denied:
                denied.append(span.value)
    return denied


def claims_all_certificates(text: str) -> bool:
    """证件齐全 / 持证上岗: the resume says it holds what the work needs."""
    return bool(re.search(r"证件齐全|证书齐全|持证上岗|各类证件都有", fold(text or "")))


def rules_out_nights(text: str) -> bool:
    """The resume rules out night or rotating shifts (只能白班, 不能上夜班, 只想做白天的活…)."""
    return bool(_DAY_ONLY.search(fold(text or "")))


def required_certificates(text: str, spans) -> tuple[list[str], list[str]]:
    """(required, preferred) canonical certificates of a posting: '…证优先' is a wish, not a condition."""
    norm = fold(text or "")
    required, preferred = [], []
    for span in spans:
        target = preferred if _PREFERRED_AFTER.search(norm[span.end:span.end + 10]) else required
        if span.value not in target:
            target.append(span.value)
    return [c for c in required], [c for c in preferred if c not in required]


def is_soft(skill: str) -> bool:
    """A soft trait (耐心细致, 服务意识, 吃苦耐劳, 沟通能力…): never a requirement."""
    from matcher.text.extract import load_vocabulary

    entry = load_vocabulary().terms.get(skill.strip().lower())
    return bool(entry and entry.category == "soft")
