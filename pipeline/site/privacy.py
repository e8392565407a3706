"""What the site, read by all staff, may show of a customer's contacts: phone numbers masked,
in their own field and inside free text."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d")
# a run of 7+ digits (with - or space, half- or full-width, inside) not part of a latin word or
# id: Chinese text may touch it on either side (联系电话13512349335)
_PHONE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\+?\d[\d\- －]{5,}\d(?![0-9A-Za-z])")


def mask_phone(phone: object) -> str:
    """Only the first three and last four digits of a phone number are shown: 135****9335."""
    text = "" if phone is None or phone != phone else str(phone).strip()
    digits = _DIGITS.findall(text)
    if len(digits) < 8:
        return "*" * len(text) if text else ""
    seen = 0
    out = []
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= 3 or seen > len(digits) - 4 else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask_phones_in(text: object) -> str:
    """Free text (visit notes, addresses) with any phone number in it masked."""
    text = "" if text is None or text != text else str(text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text)
