"""What is shown to all staff (the site, the 信息参考) of a customer's contacts: phone numbers
masked, in their own field and inside free text."""

from __future__ import annotations

import re

import pandas as pd

_DIGITS = re.compile(r"\d")
# a run of 7+ digits (with - or space, half- or full-width, inside) not part of a latin word, an
# id or a decimal number: Chinese text may touch it on either side (联系电话13512349335)
_PHONE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?<!\d\.)\+?\d[\d\- －]{5,}\d(?![0-9A-Za-z])(?!\.\d)")
# a mobile number (1[3-9] and nine digits, apart by any usual separator) wherever it stands, letters
# touching it too (TEL13822223333, QQ…, 138.2222.3333): a customer id (C + 10 digits) has no
# room for one, and an amount (13812345678.00) is not one
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d(?:[ \-－.·/／—–]?\d){8}(?!\d)(?![.．]\d)")
# a month or a date (2025-03, 2025-03-08), which the pattern above would take for a phone: kept
_MONTH_OR_DATE = re.compile(r"(?:19|20)\d\d[-－](?:0?[1-9]|1[0-2])(?:[-－](?:0?[1-9]|[12]\d|3[01]))?")


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
    """Free text (visit notes, addresses, a problem's value) with any phone number in it masked;
    months and dates (2025-03, 2025-03-08 and several of them apart by spaces) are not phones."""
    text = "" if text is None or text != text else str(text)
    return _MOBILE.sub(_masked, _PHONE_IN_TEXT.sub(_masked, text))


def _masked(found: re.Match) -> str:
    text = found.group()
    if all(_MONTH_OR_DATE.fullmatch(part) for part in text.split()):
        return text
    return mask_phone(text)


def mask_phones_in_column(values: pd.Series) -> pd.Series:
    """`mask_phones_in` of each text that holds seven digits or more (the rest untouched: a
    province's names are looked at once, vectorised)."""
    text = values.astype("string")
    suspect = text.str.count(r"\d").fillna(0) >= 7
    if not suspect.any():
        return values
    out = values.copy()
    out[suspect.to_numpy()] = values[suspect.to_numpy()].map(mask_phones_in)
    return out
