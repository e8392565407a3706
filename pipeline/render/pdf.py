"""HTML from the templates of `templates/`, and PDF from HTML with WeasyPrint."""

from __future__ import annotations

import base64
import gc
import hashlib
import os
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from importlib.metadata import version
from multiprocessing.util import Finalize
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from pipeline.core.code import package_files
from pipeline.core.digest import content_hash
from pipeline.core.files import atomic_write, replacing
from pipeline.core.money import format_wan, format_yuan, percent
from pipeline.render.fonts import cjk_family, print_font_css

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=format_number,
        wan=format_wan,
        yuan2=partial(format_yuan, separators=True),
        pct=format_pct,
        pct_of=format_pct_of,
        change=format_change,
        chart=chart_img,
    )
    env.globals["font_family"] = cjk_family
    return env


def render_html(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)


def render_pdf_html(template: str, when: datetime, **context: object) -> str:
    """HTML for a PDF dated `when`; the stylesheet is given to WeasyPrint once per process."""
    return render_html(template, pdf=True, root="", document_time=when.isoformat(), **context)


def stylesheet() -> str:
    return (TEMPLATES / "style.css").read_text(encoding="utf-8")


def chart_img(svg: str, alt: str) -> Markup:
    """An SVG chart as an <img>: WeasyPrint draws it with its SVG engine (text stays text) without
    styling every path as part of the page, and browsers show it the same way."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Markup('<img class="chart" alt="{}" src="data:image/svg+xml;base64,{}">').format(alt, Markup(data))


# -- formats shown to readers (one place) ------------------------------------------------


def format_number(value: float | int | None) -> str:
    return "—" if value is None or value != value else f"{value:,.0f}"


def format_pct(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:
        return "—"
    return f"{percent(value, digits)}%"


def format_pct_of(part: int | None, whole: int | None) -> str:
    """`part` of `whole` as a percentage, from the counts themselves: rounded once."""
    if part is None or not whole:
        return "—"
    return format_pct(part / whole)


def format_change(value: float | None) -> str:
    """+12.3% / −4.0% / — for MoM and YoY."""
    if value is None or value != value:
        return "—"
    shown = f"{percent(abs(value))}"
    if shown == "0.0":
        return "0.0%"
    return f"{'+' if value > 0 else '−'}{shown}%"


# -- PDF ----------------------------------------------------------------------------------


@contextmanager
def _source_date(epoch: int):
    """Font subsets are time-stamped unless SOURCE_DATE_EPOCH is set."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def document_time(month: str, version: int) -> datetime:
    """The date a document states: fixed by its month and version, never the clock."""
    y, m = map(int, month.split("-"))
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return datetime(y, m, 4, 8, 0, tzinfo=UTC) + timedelta(days=version - 1)


def load_print_resources() -> None:
    """WeasyPrint, the stylesheet and fonts, loaded now (a helper process, before its first PDF)."""
    _print_resources()


@lru_cache(maxsize=1)
def _print_resources():
    """The stylesheet, parsed once, and one font configuration for every PDF of the process; the
    PDFs' text set in the common-character copy of the CJK font (pipeline.render.fonts)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    # run at exit by multiprocessing's finalisers: in this process (its atexit hook) and in a
    # step or worker process it started, which ends by os._exit after them
    Finalize(None, _release_print_resources, exitpriority=0)
    return CSS(string=stylesheet() + print_font_css(), font_config=fonts), fonts


def _release_print_resources() -> None:
    """The font configuration let go of before the process ends: WeasyPrint removes its
    temporary copy of the @font-face font (≈ 4 MB under /tmp) when the configuration is collected,
    which at interpreter shutdown fails and leaves the copy behind."""
    _print_resources.cache_clear()
    gc.collect()


def write_pdf(html: str, base_url: Path, out: Path, when: datetime, attachments: list[Path] = ()) -> Path:
    """Render `html` to `out` as PDF/A-3b; the same input always gives the same bytes."""
    from weasyprint import HTML, Attachment  # imported late: slow to import

    out.parent.mkdir(parents=True, exist_ok=True)
    files = [Attachment(filename=str(p), name=p.name, created=when, modified=when) for p in attachments]
    css, fonts = _print_resources()
    with _source_date(int(when.timestamp())), replacing(out) as tmp:
        HTML(string=html, base_url=str(base_url)).write_pdf(
            tmp,
            stylesheets=[css],
            font_config=fonts,
            pdf_variant="pdf/a-3b",
            attachments=files,
            uncompressed_pdf=False,
        )
    return out


def write_pdf_if_changed(
    out: Path, states: object, html: Callable[[], str], base_url: Path, when: datetime
) -> bool:
    """`write_pdf(html(), …)` unless `out` was last drawn from what `states` (the document's data)
    with today's templates and drawing code: its hash is kept in a hidden file beside it. A month
    re-run for a correction leaves its unchanged documents as they were, bytes and time, and
    does not even build their HTML (a chart in it costs ≈ 0.3 s). True when written."""
    source = out.with_name(f".{out.name}.source")
    digest = content_hash([states, when.isoformat(), rendering_digest()])
    if out.exists() and source.exists() and source.read_text(encoding="ascii") == digest:
        return False
    write_pdf(html(), base_url, out, when)
    atomic_write(source, digest.encode("ascii"))
    return True


# What turns a document's data into its bytes, besides the data: a change to any redraws all.
RENDERING_PACKAGES = ("core", "render", "site", "publish")


@lru_cache(maxsize=1)
def rendering_digest() -> str:
    """sha256 of the templates, the code that draws from them and the PDF engine's version."""
    h = hashlib.sha256(version("weasyprint").encode())
    for path in [*sorted(TEMPLATES.rglob("*")), *package_files(*RENDERING_PACKAGES)]:
        if path.is_file():
            h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


PDFS_APART_FROM = 16  # documents; fewer are all written here (a helper process costs ≈ 1 s)


def write_pdfs(tasks: list[tuple[str, Path, Path, datetime]], helper=None) -> None:
    """`write_pdf(*task)` for each task: many of them shared with a helper process (the second
    core), `helper` if one was started early (pipeline.render.pool)."""
    from pipeline.render.pool import run_shared

    run_shared(write_pdf, tasks, load_print_resources, PDFS_APART_FROM, helper)
