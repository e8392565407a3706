"""The headers `kac template` writes are the ones the reader accepts, each column once."""

import pytest

from pipeline.core.text import split_unit
from pipeline.ingest.sheets import (
    ARCHIVE_HEADER,
    ASSESSMENT_HEADER,
    SURVEY_HEADER,
    USAGE_HEADER,
    VISIT_HEADER,
)


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        ("usage", USAGE_HEADER),
        ("archive", ARCHIVE_HEADER),
        ("visits", VISIT_HEADER),
        ("assessment", ASSESSMENT_HEADER),
        ("survey", SURVEY_HEADER),
    ],
)
def test_every_template_header_is_read_as_its_own_column(reference, kind, header) -> None:
    index = reference.column_index(kind)
    columns = [index.match(split_unit(h)[0]) for h in header]
    unread = [h for h, c in zip(header, columns, strict=True) if c is None]
    assert not unread, f"{kind}: {unread} not in aliases.toml"
    assert len(set(columns)) == len(columns), f"{kind}: two headers read as one column: {columns}"
    assert reference.sheet_index().match(reference.aliases["sheets"][kind][0]) == kind
