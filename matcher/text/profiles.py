"""What ranking needs to know about a posting or a seeker, derived once at ingest and stored.

`posting_features` / `seeker_features` return the JSON stored in the `extracted` column: canonical
skills and certificates (with the spans they were read from, so explanations can quote them), and
the other structured fields the extractor finds. The text that gets embedded is built here too.
"""
from __future__ import annotations

from matcher.text.parsing import EDUCATION_LEVELS
from matcher.text.extract import canonical_skill, extract
from matcher.text.fairness import neutralise


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


def seeker_text(resume_text: str, desired_roles, skills) -> str:
    """The text embedded for a seeker, with gender, age, ethnicity, hukou and marital words removed."""
    parts = ["求职意向：" + "、".join(desired_roles) if desired_roles else "", "技能：" + "、".join(skills) if skills else "",
             neutralise(resume_text)]
    return "\n".join(part for part in parts if part)[:2000]


def posting_features(title: str, description: str, requirements: str, skills) -> dict:
    found = extract("\n".join([title, description, requirements]), kind="posting")
    req = extract(requirements or description, kind="posting")
    required_skills = _canonical_terms(list(skills) + [s.value for s in req.skills])
    required_certs = _canonical_terms([c.value for c in found.certificates])
    return {
        "skills": required_skills,
        "certificates": required_certs,
        "skill_spans": _spans(req.skills),
        "certificate_spans": _spans(found.certificates),
        "languages": [s.value for s in found.languages],
        "night_work": bool(found.night_work),
        "shifts": [s.value for s in found.shifts],
        "places": [s.value for s in found.places],
    }


def seeker_features(resume_text: str, skills, desired_roles) -> dict:
    found = extract(neutralise(resume_text), kind="resume")
    return {
        "skills": _canonical_terms(list(skills) + [s.value for s in found.skills]),
        "certificates": _canonical_terms([c.value for c in found.certificates]),
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


def education_name(level: int | None) -> str:
    return EDUCATION_LEVELS.get(level, "未注明") if level is not None else "未注明"
