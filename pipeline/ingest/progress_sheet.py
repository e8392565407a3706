"""The county workbook's optional 工作进展 sheet (工作进展、存在问题、需协调事项): free text, one
item a row, compiled into the 信息参考 per county."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.core.text import AliasIndex, normalise
from pipeline.ingest.grid import Grid, clean_text, filled, parse_number
from pipeline.ingest.reference import Reference

# (code, cell, value read): how the sheet's problems are handed to the county reader
Report = Callable[[str, str, object], None]


@dataclass
class ProgressItems:
    texts: dict[str, list[str]] = field(default_factory=dict)  # item → its texts, in sheet order
    first_row: dict[str, int] = field(default_factory=dict)  # item → the Excel row of its first text
    named_without_text: bool = False  # an item's label read with no text: perhaps a formula unsaved


def read_progress(
    grid: Grid, ref: Reference, footer_markers: tuple[str, ...], report: Report
) -> ProgressItems:
    """Free text, one item a row: the item's label (工作进展, 存在问题, 需协调事项 or an alias)
    in the row's first filled cell, the text in the cells after it, in the same cell after a
    colon or a space (工作进展:…), or in the rows just below a label given alone (up to a blank
    row). The items may also head columns, the texts below them. A title above, the header row
    (项目 | 内容), 序号 and the 填表人 footer are not texts. A text that belongs to no item is a
    warning at its cell, never dropped unsaid. An item given twice keeps both texts, one after
    the other. Text is kept as written (escaped where shown)."""
    items = ref.value_index("progress_item")
    headers = ref.column_index("progress")
    out = ProgressItems()
    named: set[str] = set()  # items whose label was read, with or without a text
    columns: dict[int, str | None] = {}  # the items as column headers, texts in the rows below
    waiting: str | None = None  # a label given alone: its text is in the rows just below
    started = False  # a label or a header seen: an unlabelled line above them is a title

    def keep(item: str, text: str, i: int) -> None:
        out.texts.setdefault(item, []).append(text)
        out.first_row.setdefault(item, grid.row0 + i + 1)

    def unread(i: int, j: int, value: object) -> None:
        report("value_unrecognised", grid.a1(i, j), value)

    for i, row in enumerate(grid.cells):
        cells = [(j, c) for j, c in enumerate(row) if filled(c) and clean_text(c)]
        if not cells:
            waiting = None  # a blank row ends the text under a label
            continue
        if normalise(cells[0][1]).startswith(footer_markers):
            continue  # 填表人:… 联系电话:…
        labelled = [(j, _progress_item(c, items)) for j, c in cells]
        named.update(item for _, (item, _) in labelled if item)
        if not columns and sum(1 for _, (item, text) in labelled if item and not text) >= 2:
            columns = {j: item for j, (item, _) in labelled}  # 工作进展 | 存在问题 | 需协调事项 (| 其他)
            for j, c in cells:
                if columns[j] is None and not _is_serial_header(c):
                    unread(i, j, c)
            continue
        if columns:
            for j, c in cells:
                if columns.get(j):
                    keep(columns[j], str(c).strip(), i)
                elif parse_number(c) is None:  # text under a column that is no item (序号 apart)
                    unread(i, j, c)
            continue
        if all(headers.match(c) for _, c in cells):
            started = True
            continue  # the header row
        (j, first), rest = cells[0], cells[1:]
        item, inline = labelled[0][1]
        text = "\n".join([*([inline] if inline else []), *(str(c).strip() for _, c in rest)])
        if item is None and waiting:  # the text of the label given alone above
            keep(waiting, "\n".join(str(c).strip() for _, c in cells), i)
        elif item is None and (started or rest):
            unread(i, j, first)
        elif item is None:
            continue  # a title above the items
        elif text:
            keep(item, text, i)
            waiting, started = None, True
        else:
            waiting, started = item, True
    out.named_without_text = bool(named - out.texts.keys())
    return out


def _is_serial_header(cell: object) -> bool:
    return normalise(cell) in ("序号", "编号", "序")


def _progress_item(cell: object, items: AliasIndex) -> tuple[str | None, str]:
    """(the item a cell names, the text after its label in the same cell): 工作进展 → (工作进展, "");
    存在问题: → (存在问题, ""); 工作进展:走访 12 户 → (工作进展, 走访 12 户); other text → (None, "")."""
    text = str(cell).strip()
    whole = items.match(re.sub(r"[::]+$", "", text))
    if whole:
        return whole, ""
    split = re.search(r"[::\s]", text)
    if split and (item := items.match(text[: split.start()])):
        return item, re.sub(r"^[::\s]+", "", text[split.end() :])
    return None, ""
