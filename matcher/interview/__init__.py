"""Mock interviews: questions from a role's requirements and a resume, rubric-scored answers, a report.

types (data classes, constants) <- text (terms, sentences, vectors) <- claims (how a sentence stands
to a requirement: affirmed, denied, hedged, planned) <- requirements, questions, feedback <- scoring
<- report <- service (storage).
"""
from matcher.interview.types import (  # noqa: F401
    DIFFICULTIES, MAX_ANSWER_CHARS, QUESTION_KINDS, REQUIREMENT_KINDS, Feedback, InterviewError, Question,
    Report, Requirement,
)
from matcher.interview.questions import (  # noqa: F401
    QuestionSlot, QuestionWriter, TemplateQuestionWriter, build_session, find_question, make_question,
    questions_from_dicts, resume_evidence, session_coverage,
)
from matcher.interview.report import session_report  # noqa: F401
from matcher.interview.requirements import (  # noqa: F401
    classify_requirement, duties_for_occupation, occupation_name, requirements_from_dicts, requirements_from_role,
)
from matcher.interview.scoring import AnswerScorer  # noqa: F401
