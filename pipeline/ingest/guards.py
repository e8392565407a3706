"""Folder mistakes must not become corrections.

A county whose report the published version used, and which this run would reject or find
missing (a corrected file put beside the old one, a half-copied workbook, a file moved away),
is almost always a mistake in the folder, not a correction. Publishing would silently replace
figures readers have seen with "退回". So the month stops before anything is written, with one
line saying which county, what happened and what to do; the operator who really means it says
so (`kac run --accept-loss`, or the run tag `kac/accept_loss=true` in the Dagster UI) and the
更正说明 then states the loss in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.months import chinese_month
from pipeline.core.problems import LABELS
from pipeline.ingest.submissions import ACCEPTED

ACCEPT_LOSS_TAG = "kac/accept_loss"
LOST = ("rejected", "missing")
# reject code → (what happened, what the operator does about it)
CAUSES = {
    "county_duplicate": ("两个文件", "移走多余的文件"),
    "file_unreadable": ("文件无法打开", "重新完整复制该文件"),
    "county_mismatch": ("表内填报单位是别的县(市)", "核对是否放错了文件,放回该县自己的报表"),
    "file_too_large": ("文件过大或内容异常", "重新完整复制该文件"),
    "file_empty": ("文件中没有数据", "重新完整复制该文件"),
    "submission_missing": ("文件不在文件夹中", "把该县文件放回文件夹"),
}
# a refused run writes no 问题清单: `kac status` lists the county's problems
OTHER_CAUSE = ("报表被退回", "运行 kac status 查看该县的问题,请县局改正后重新报送")


class Refusal(Exception):
    """The inputs do not allow publishing the month; the message says what to do."""


class AcceptedDataLost(Refusal):
    """The run would drop a county the published version used; the message says what to do."""


class NothingAccepted(Refusal):
    """No county's workbook can be used this month: there is nothing to publish."""


REFUSALS = {cls.__name__ for cls in (Refusal, AcceptedDataLost, NothingAccepted)}


def nothing_accepted(month: str, submissions: list[dict]) -> None:
    """Raise NothingAccepted when no county's workbook of `month` can be used."""
    if any(s["status"] in ACCEPTED for s in submissions):
        return
    missing = sum(s["status"] == "missing" for s in submissions)
    rejected = len(submissions) - missing
    raise NothingAccepted(
        f"{chinese_month(month)}未发布:没有可以采用的县(市)报表(未报送 {missing} 个、退回 {rejected} 个)。"
        f"请把各县报表放入该月文件夹后重新运行(kac status {month} 可查看各县情况)"
    )


@dataclass(frozen=True)
class Loss:
    county: str
    version: int  # the published version that used the county's report
    code: str  # why it is not used now (reject code of the submission)
    file: str

    @property
    def what(self) -> str:
        if self.code in CAUSES:
            return CAUSES[self.code][0]
        return f"{OTHER_CAUSE[0]}:{LABELS[self.code]}" if self.code in LABELS else OTHER_CAUSE[0]

    @property
    def todo(self) -> str:
        return CAUSES.get(self.code, OTHER_CAUSE)[1]

    def note(self) -> str:
        """The 更正说明's sentence, once the operator has confirmed."""
        return f"{self.county} 第{self.version}版已采用的报表本版未采用({self.what}),经操作员确认发布"


def is_accepted(tags: dict[str, str]) -> bool:
    return tags.get(ACCEPT_LOSS_TAG, "").strip().lower() in ("true", "1", "yes")


def losses(version: int, published: list[dict], current: list[dict]) -> list[Loss]:
    """Counties accepted in `published` (version `version`) that `current` rejects or misses."""
    used = {s["county"] for s in published if s.get("status") in ACCEPTED}
    return [
        Loss(s["county"], version, _text(s.get("reject_code")), _text(s.get("file")))
        for s in current
        if s["county"] in used and s["status"] in LOST
    ]


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""  # absent or NaN in tables of older runs


def refusal(month: str, lost: list[Loss]) -> str:
    """One line: which counties, what happened, what to do."""
    what = ";".join(
        f"{x.county} 第{x.version}版已采用的报表本次不能采用({x.what}{':' + x.file if x.file else ''})"
        for x in lost
    )
    todo = "、".join(dict.fromkeys(x.todo for x in lost))
    return (
        f"{chinese_month(month)}未发布:{what}。请{todo}后重新运行;若确认本版不用这些报表,"
        f"运行 kac run {month} --accept-loss(Dagster 界面:运行标签 {ACCEPT_LOSS_TAG}=true)"
    )


def guard(month: str, published: tuple[int, dict] | None, submissions: list[dict], tags: dict) -> None:
    """Raise AcceptedDataLost unless nothing accepted is lost or the operator accepted the loss."""
    if published is None or is_accepted(tags):
        return
    version, content = published
    lost = losses(version, content.get("submissions", []), submissions)
    if lost:
        raise AcceptedDataLost(refusal(month, lost))
