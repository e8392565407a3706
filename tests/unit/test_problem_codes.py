"""The one table of problem codes (pipeline/core/problems.py) and the README's: every code has a
Chinese message and label, and is documented with its effect, so that an operator who reads a
code in problems.csv finds it in the manual."""

from __future__ import annotations

import re

from pipeline.core.layout import REPO
from pipeline.core.problems import CODES, LABELS, effect


def documented() -> dict[str, str]:
    """code → effect, from the README's table of problem codes."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `([a-z_]+)` \| ([a-z]+) \|", text, flags=re.M))


def test_every_code_has_a_label_and_is_in_the_readme_with_its_effect():
    readme = documented()
    assert set(CODES) <= set(LABELS)  # and a label or two of the rejected rows' own codes
    missing = sorted(set(CODES) - set(readme))
    assert missing == [], f"not in the README's table of problem codes: {missing}"
    wrong = sorted(c for c in CODES if readme[c] != effect(c))
    assert wrong == [], f"the README gives another effect: {wrong}"
