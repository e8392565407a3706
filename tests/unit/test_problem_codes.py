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


def test_the_centres_own_files_are_listed_apart_from_the_counties_to_call():
    """`kac run` and `kac status` list the 州局's own files with their problems (the operator
    mends them; there is no county to call); a problem of no file (a sheet missing) shows —."""
    from pipeline.core.problems import problem, to_frame
    from pipeline.publish.summary import centre_lines

    problems = to_frame(
        [
            problem(
                "project_duplicate", county="州局", file="项目登记_2026.xlsx", sheet="项目登记", cell="A9"
            ),
            problem(
                "project_duplicate", county="州局", file="项目登记_2026.xlsx", sheet="项目登记", cell="A12"
            ),
            problem("assessment_missing", county="州局"),
            problem("business_unknown", county="美姑县", file="美姑县.xlsx", sheet="用邮情况", cell="E7"),
        ]
    )
    lines = centre_lines(problems)
    assert lines[0] == "本中心(州局)的文件有问题(由中心自行更正,详见问题清单):"
    assert [line.split() for line in lines[1:]] == [
        ["项目登记_2026.xlsx", "项目编号重复", "2", "处"],
        ["—", "缺少考核评分表"],
    ]
    assert centre_lines(problems[problems.county == "美姑县"]) == []
    # `kac status` after the register was edited: what the run found is said to be before it
    changed = centre_lines(problems, {"项目登记_2026.xlsx"}, "X")
    assert changed[0] == "X" and changed[2].split() == ["—", "缺少考核评分表"]
    assert changed[1].split() == [
        "项目登记_2026.xlsx",
        "项目编号重复",
        "2",
        "处(运行后文件已改动,重新运行后核对)",
    ]
