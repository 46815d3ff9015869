"""One input understood once: `build_profiles(inputs) -> [Profile]`.

Each posting or seeker (or pasted resume) is redacted, neutralised, read for skills and fields,
salary-parsed, placed and occupation-coded exactly once here, and the text to embed is composed
here too. The write path (`matcher.postings`, `matcher.seekers`) and `JobCircle.match_text` share
it, so an imported posting's street is resolved once and a pasted resume is neutralised once.

`posting_features` / `seeker_features` return the JSON stored in the `extracted` column: canonical
skills and certificates (with the spans they were read from, so explanations can quote them), and
the other structured fields the extractor finds.
"""
from __future__ import annotations

import dataclasses
from typing import Sequence

from matcher.errors import InvalidInput
from matcher.geo.places import Place, gazetteer
from matcher.inputs import PostingInput
from matcher.text.compliance import check_posting
from matcher.text.extract import canonical_skill, extract
from matcher.text.fairness import neutralise
from matcher.text.intent import (claims_all_certificates, denied_certificates, intent, is_soft, required_certificates,
                                 rules_out_nights, strip_former)
from matcher.text.parsing import EDUCATION_LEVELS, parse_salary
from matcher.text.privacy import redact
from matcher.types import Profile

OCCUPATION_TOP = 3
OCCUPATION_FALLBACK = 200  # a resume naming no wanted work, timeline title or past role is coded as a whole


def _canonical_terms(terms) -> list[str]:
    out = []
    for term in terms:
        canonical = canonical_skill(term) or term.strip()
        if canonical and canonical not in out:
            out.append(canonical)
    return out


def _spans(items) -> list[dict]:
    return [{"value": span.value, "text": span.text, "start": span.start, "end": span.end} for span in items]


def posting_text(title: str, description: str, requirements: str, skills) -> str:
    """The text embedded for a posting: title first (it carries most of the meaning), then the rest."""
    parts = [title, title, "技能：" + "、".join(skills) if skills else "", description, requirements]
    return "\n".join(part for part in parts if part)[:2000]


def compose_seeker_text(neutral_resume: str, desired_roles, skills) -> str:
    """The text embedded for a seeker, from a resume already neutralised: the wanted work first, and
    when the resume says it leaves a kind of work (以前做销售，现在想做行政), without that clause."""
    wants = intent(neutral_resume)
    desired_roles = list(dict.fromkeys(list(desired_roles) + list(wants.wanted)))
    neutral_resume = strip_former(neutral_resume, wants)
    parts = ["求职意向：" + "、".join(desired_roles) if desired_roles else "", "技能：" + "、".join(skills) if skills else "",
             neutral_resume]
    return "\n".join(part for part in parts if part)[:2000]


def seeker_text(resume_text: str, desired_roles, skills) -> str:
    """The text embedded for a seeker, with gender, age, ethnicity, hukou and marital words removed."""
    return compose_seeker_text(neutralise(resume_text), desired_roles, skills)


def posting_features(title: str, description: str, requirements: str, skills) -> dict:
    text = "\n".join([title, description, requirements])
    found = extract(text, kind="posting")
    req = extract(requirements or description, kind="posting")
    # Soft traits (吃苦耐劳, 服务意识…) are never requirements; a certificate '…优先' is a wish, not a gate.
    required_skills = [s for s in _canonical_terms(list(skills) + [s.value for s in req.skills]) if not is_soft(s)]
    required, preferred = required_certificates(text, found.certificates)
    return {
        "skills": required_skills,
        "certificates": _canonical_terms(required),
        "preferred_certificates": _canonical_terms(preferred),
        "skill_spans": _spans(req.skills),
        "certificate_spans": _spans(found.certificates),
        "languages": [s.value for s in found.languages],
        "night_work": bool(found.night_work),
        "shifts": [s.value for s in found.shifts],
        "places": [s.value for s in found.places],
    }


def neutral_seeker_features(neutral_resume: str, skills, desired_roles) -> dict:
    """Seeker features read from a resume already neutralised."""
    found = extract(neutral_resume, kind="resume")
    denied = denied_certificates(neutral_resume, found.certificates)
    roles = [entry.role.text for entry in found.timeline if getattr(entry, "role", None) is not None]
    wants = intent(neutral_resume, roles)
    return {
        "skills": _canonical_terms(list(skills) + [s.value for s in found.skills]),
        "certificates": [c for c in _canonical_terms([c.value for c in found.certificates]) if c not in denied],
        "denied_certificates": denied,
        "all_certificates": claims_all_certificates(neutral_resume),
        "nights_ruled_out": rules_out_nights(neutral_resume),
        "wanted": list(dict.fromkeys(list(desired_roles) + list(wants.wanted))),
        "former": list(wants.former),
        "coding_titles": list(dict.fromkeys(list(desired_roles) + list(wants.titles()))),
        "skill_spans": _spans(found.skills),
        "certificate_spans": _spans(found.certificates),
        "languages": [s.value for s in found.languages],
        "education": found.education.value if found.education else None,
        "experience_years": found.experience_years.value if found.experience_years else None,
        "timeline": [
            {key: (value.text if hasattr(value, "text") else value) for key, value in vars(entry).items()}
            if hasattr(entry, "__dict__") else entry
            for entry in found.timeline
        ],
        "desired_roles": list(desired_roles),
    }


def seeker_features(resume_text: str, skills, desired_roles) -> dict:
    return neutral_seeker_features(neutralise(resume_text), skills, desired_roles)


def has_words(text: str) -> bool:
    """Whether a text has any letter or Chinese character (not only symbols, digits or emoji)."""
    return any(ch.isalpha() for ch in text or "")


def education_name(level: int | None) -> str:
    return EDUCATION_LEVELS.get(level, "未注明") if level is not None else "未注明"


def check_street(street: str | None) -> None:
    """An unknown street is an error naming the field (checked before any slow work)."""
    if street and gazetteer().street_code(street) is None:
        raise InvalidInput(f"未找到街道“{street}”，请填写上海市的街道/镇名称或9位代码", field="street")


def resolve_place(*, lat=None, lon=None, street: str | None = None, address: str | None = None) -> Place | None:
    """The input's place, resolved once."""
    check_street(street)
    return gazetteer().resolve(lat=lat, lon=lon, street=street, address=address)


def code_occupations(coder, titles: Sequence[str]) -> list[tuple[dict, ...]]:
    """Top occupation codes per title (empty when occupation coding is off)."""
    if coder is None or not titles:
        return [() for _ in titles]
    results = coder.code(list(titles), top_k=OCCUPATION_TOP)
    return [
        tuple({"code": c.code, "name": c.name, "score": round(float(c.score), 3), "level": c.level,
               "confidence": round(float(r.confidence), 3)} for c in r.candidates[:OCCUPATION_TOP])
        for r in results
    ]


def _salary(inp):
    """The posting's salary; a day or hour rate stays per day, its monthly figure uses the stated days a week."""
    salary = parse_salary(inp.salary) if inp.salary else None
    days = getattr(inp, "days_per_week", None)
    if salary is not None and days:
        salary = dataclasses.replace(salary, days_per_week=float(days))
    return salary


def _posting_profile(inp, codes) -> Profile:
    return Profile(
        kind="posting", clean_text="\n".join([inp.title, inp.description, inp.requirements]), found={},
        features=posting_features(inp.title, inp.description, inp.requirements, inp.skills)
        | ({"days_per_week": inp.days_per_week} if getattr(inp, "days_per_week", None) else {}),
        salary=_salary(inp),
        place=resolve_place(lat=inp.lat, lon=inp.lon, street=inp.street, address=inp.address),
        occupation_codes=codes, text=posting_text(inp.title, inp.description, inp.requirements, inp.skills),
        findings=tuple(check_posting({"title": inp.title, "description": inp.description,
                                      "requirements": inp.requirements})),
    )


def _seeker_parts(resume_text: str) -> tuple[str, dict, str]:
    clean, found = redact(resume_text)
    return clean, found, neutralise(clean)


def build_profiles(inputs: Sequence, coder=None) -> list[Profile]:
    """Profiles for many `PostingInput`s or `SeekerInput`s, occupation-coded in one batch."""
    postings = [inp for inp in inputs if isinstance(inp, PostingInput)]
    if postings and len(postings) != len(inputs):
        raise TypeError("build_profiles takes postings or seekers, not both")
    if postings:
        for inp in inputs:  # an unknown street fails before the (slow) coding
            check_street(inp.street)
        codes = code_occupations(coder, [inp.title for inp in inputs])
        return [_posting_profile(inp, c) for inp, c in zip(inputs, codes)]
    parts = []
    for inp in inputs:
        check_street(inp.street)
        parts.append(_seeker_parts(inp.resume_text))
    features = [neutral_seeker_features(neutral, inp.skills, inp.desired_roles)
                for inp, (_, _, neutral) in zip(inputs, parts)]
    codes = seeker_codes(coder, features, [neutral for _, _, neutral in parts])
    return [
        Profile(kind="seeker", clean_text=clean, found=found, features=f, salary=None,
                place=resolve_place(lat=inp.lat, lon=inp.lon, street=inp.street, address=inp.address),
                occupation_codes=c, text=compose_seeker_text(neutral, inp.desired_roles, inp.skills))
        for inp, (clean, found, neutral), f, c in zip(inputs, parts, features, codes)
    ]


def _merge_codes(per_title: Sequence[tuple[dict, ...]]) -> tuple[dict, ...]:
    """Each title's best code first, then each title's second..., without repeats (at most 4)."""
    out: list[dict] = []
    for rank in range(OCCUPATION_TOP):
        for codes in per_title:
            if rank < len(codes) and all(c["code"] != codes[rank]["code"] for c in out):
                out.append(codes[rank])
    return tuple(out[:4])


def seeker_codes(coder, features: Sequence[dict], neutral_texts: Sequence[str]) -> list[tuple[dict, ...]]:
    """Occupation codes per seeker: of the wanted work and the timeline's titles, not the resume's opening
    characters (a resume that names none is coded as a whole). The work the seeker says they leave
    behind is coded too and kept in `features["former_codes"]` (the intent gate reads it)."""
    if coder is None:
        return [() for _ in features]
    titles = [list(f.get("coding_titles") or [text[:OCCUPATION_FALLBACK]]) for f, text in zip(features, neutral_texts)]
    former = [list(f.get("former") or []) for f in features]
    flat = [t for ts in titles for t in ts] + [t for ts in former for t in ts]
    coded = code_occupations(coder, flat)
    out, at = [], 0
    for ts in titles:
        out.append(_merge_codes(coded[at:at + len(ts)]))
        at += len(ts)
    for f, ts in zip(features, former):
        f["former_codes"] = [c["code"] for c in _merge_codes(coded[at:at + len(ts)])[:2]]
        at += len(ts)
    return out


def build_profile(inp, coder=None) -> Profile:
    """The profile of one posting or seeker input."""
    return build_profiles([inp], coder)[0]


def text_profile(resume_text: str, *, coder=None, lat=None, lon=None, street=None, address=None) -> Profile:
    """The profile of a pasted resume (ad-hoc matching; nothing is stored)."""
    if not resume_text or not resume_text.strip():
        raise InvalidInput("简历内容不能为空", field="resume_text")
    if not has_words(resume_text):
        raise InvalidInput("简历内容只有符号或数字，请用文字写明做过的工作、技能或想找的工作", field="resume_text")
    place = resolve_place(lat=lat, lon=lon, street=street, address=address)
    clean, found, neutral = _seeker_parts(resume_text)
    features = neutral_seeker_features(neutral, [], [])
    codes = seeker_codes(coder, [features], [neutral])[0]
    return Profile(kind="seeker", clean_text=clean, found=found, features=features,
                   salary=None, place=place, occupation_codes=codes, text=compose_seeker_text(neutral, [], []))
