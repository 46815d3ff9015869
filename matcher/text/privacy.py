"""Personal data handling: redaction, masking and keyed hashing of identifiers.

Resumes arrive with names, phones and ID numbers pasted into free text. Phones and ID numbers are
lifted out of the text before it is stored or embedded (data minimisation, PIPL art. 6); ID
numbers are kept only as a keyed hash (for de-duplication) and a masked form.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

PHONE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}\.[\w.]{1,190}")  # bounded: unbounded runs made long text quadratic


def mask_phone(phone: str | None) -> str | None:
    """138****1234"""
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 7 else "****"


def mask_id_number(id_number: str) -> str:
    """310***********123X"""
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def redact(text: str) -> tuple[str, dict[str, list[str]]]:
    """Text with phones, ID numbers and e-mail addresses replaced by placeholders, and what was found."""
    found: dict[str, list[str]] = {"phones": [], "id_numbers": [], "emails": []}

    def _keep(kind: str, placeholder: str):
        def _sub(match: re.Match) -> str:
            found[kind].append(re.sub(r"[ -]", "", match.group(0)))
            return placeholder
        return _sub

    text = ID_NUMBER.sub(_keep("id_numbers", "[身份证号已隐去]"), text)
    text = PHONE.sub(_keep("phones", "[手机号已隐去]"), text)
    text = EMAIL.sub(_keep("emails", "[邮箱已隐去]"), text)
    return text, found


def load_or_create_secret(path: Path) -> bytes:
    """The installation's secret key for keyed hashes; created once with owner-only permissions."""
    path = Path(path)
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def keyed_hash(secret: bytes, value: str) -> str:
    return hmac.new(secret, value.strip().upper().encode(), hashlib.sha256).hexdigest()
