"""`kac`: the operator's commands. Everything printed is Chinese; a user mistake never ends
in a traceback but in one line saying what to do."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from pipeline.layout import REPO, Layout
from pipeline.months import chinese_month, is_month

EXIT_FAILED = 1
EXIT_USAGE = 2


class UserError(Exception):
    """A mistake of the operator or of the inputs: printed as one line, exit non-zero."""


def _layout(args: argparse.Namespace) -> Layout:
    inputs = args.inputs or os.environ.get("KAC_INPUTS") or str(REPO / "inputs")
    outputs = args.outputs or os.environ.get("KAC_OUTPUTS") or str(REPO / "outputs")
    return Layout(Path(inputs).resolve(), Path(outputs).resolve())


def _reference(layout: Layout):
    """The reference data, or one line saying which file is wrong."""
    import tomllib

    from pipeline.reference import Reference

    if not layout.reference.is_dir():
        raise UserError(f"找不到参考数据目录 {layout.reference}:请检查 --inputs 或 KAC_INPUTS")
    try:
        return Reference.load(layout.reference)
    except FileNotFoundError as exc:
        missing = Path(exc.filename).name
        raise UserError(f"参考数据缺少文件 {missing}:请补齐 {layout.reference}") from None
    except (tomllib.TOMLDecodeError, KeyError, ValueError) as exc:
        raise UserError(f"参考数据无法读取({type(exc).__name__}: {exc}):请检查 {layout.reference}") from None


def _month(text: str) -> str:
    if not is_month(text):
        raise argparse.ArgumentTypeError(f"月份应写作 YYYY-MM,例如 2026-10(收到:{text})")
    return text


def _show_progress() -> None:
    from pipeline.progress import progress

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)


def _quiet_libraries() -> None:
    import warnings

    warnings.filterwarnings("ignore")
    logging.getLogger("dagster").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)


# -- commands -----------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    layout = _layout(args)
    return _run(layout, args.month, args.executor, args.accept_loss)


def _run(layout: Layout, month: str, executor: str | None = None, accept_loss: bool = False) -> int:
    from pipeline.fonts import cjk_family

    _reference(layout)
    if not layout.month_inputs(month).is_dir():
        raise UserError(
            f"找不到 {layout.month_inputs(month)}:请把 {chinese_month(month)}各县报表放入该文件夹"
        )
    cjk_family()  # stop before any work if the PDFs would show empty boxes
    _show_progress()
    _quiet_libraries()
    from assets.runner import MonthNotAvailable, run_month
    from pipeline.runtime import settle_heap

    settle_heap()
    started = time.perf_counter()
    try:
        report = run_month(layout, month, executor=executor, accept_loss=accept_loss)
    except MonthNotAvailable as exc:
        raise UserError(str(exc)) from None
    if report.refused:  # a folder mistake: the guard's own line says what to do
        raise UserError(report.refused)
    if not report.success:
        raise UserError(f"{chinese_month(month)}未能发布:步骤 {report.failed_step} 失败({report.error})")
    print(f"完成 {chinese_month(month)},用时 {time.perf_counter() - started:.1f} 秒")
    read = report.counties_read.get(month, [])
    names = _reference(layout).county_names
    print(f"重新读取的报表:{'、'.join(names[c] for c in read) if read else '无(各县文件与上次相同)'}")
    _print_published(layout, month)
    for later, version, new in report.later_months:
        what = f"出第{version}版(内容随本月更正而变)" if new else f"内容未变,仍为第{version}版"
        print(f"后续月份 {chinese_month(later)}:{what}")
    return 0


def _print_published(layout: Layout, month: str) -> None:
    import pandas as pd

    from pipeline.submissions import STATUS_LABELS
    from pipeline.versions import read_manifest

    labels = {
        "bulletin": "信息简报",
        "brief": "信息参考",
        "quarterly_pdf": "季度用邮情况表",
        "quarterly_xlsx": "季度用邮情况表",
    }
    manifest = read_manifest(layout.bulletins(month))
    if manifest["versions"]:
        latest = manifest["versions"][-1]
        print(f"发布版本:第{latest['version']}版")
        for key, path in sorted(latest["files"].items()):
            print(f"{labels.get(key, key)}:{layout.bulletins(month) / path}")
    print(f"网站首页:{layout.site / 'index.html'}")
    print(f"数据表:  {layout.tables(month)}")
    submissions = pd.read_csv(layout.tables(month) / "submissions.csv", dtype=str, keep_default_na=False)
    for status in ("rejected", "missing", "late"):
        counties = list(submissions.county[submissions.status == status])
        if counties:
            print(f"{STATUS_LABELS[status]}:{'、'.join(counties)}")
    problems = layout.tables(month) / "problems.csv"
    print(f"问题清单:{problems}")


def cmd_status(args: argparse.Namespace) -> int:
    from pipeline.ingest import county_files, ingest_county
    from pipeline.submissions import STATUS_LABELS, submissions_table

    layout = _layout(args)
    ref = _reference(layout)
    files, unknown = county_files(layout.month_inputs(args.month), ref)
    intakes = [ingest_county(code, args.month, files.get(code, []), ref) for code in ref.counties.code]
    table = submissions_table(intakes, ref.county_names)
    print(f"{chinese_month(args.month)}报送情况({layout.month_inputs(args.month)})")
    width = max(len(c) for c in table.county) + 2
    print(f"{'县(市)':<{width}}{'状态':<10}{'行数':>6}{'错误':>6}{'提示':>6}  文件")
    for r in table.itertuples():
        counts = f"{r.rows:>6}{r.errors:>6}{r.warnings:>6}"
        print(f"{r.county:<{width}}{STATUS_LABELS[r.status]:<10}{counts}  {r.file or '—'}")
    for path in unknown:
        print(f"无法识别所属县(市)的文件:{path.name}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from pipeline.sample_data import LAST_MONTH, generate

    layout = _layout(args)
    if not any(layout.inputs.glob("20??-??")):
        print(f"写入示例数据到 {layout.inputs} …")
        generate(layout.inputs)
    latest = sorted(p.name for p in layout.inputs.glob("20??-??") if is_month(p.name))[-1] or LAST_MONTH
    return _run(layout, latest)


def cmd_template(args: argparse.Namespace) -> int:
    from pipeline.template import write_templates

    layout = _layout(args)
    ref = _reference(layout)
    folder = layout.outputs / "templates" / args.month
    paths = write_templates(ref, args.month, folder)
    print(f"已生成 {len(paths)} 个县(市)空白报表:{folder}")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from pipeline.sample_data import Scale, generate

    out = Path(args.out).resolve()
    generate(out, seed=args.seed, scale=Scale(customers=args.customers, counties=args.counties))
    print(f"示例数据已写入 {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kac", description="凉山州邮政局大客户中心 数据处理")
    sub = parser.add_subparsers(dest="command", required=True)

    def folders(p: argparse.ArgumentParser) -> None:
        p.add_argument("--inputs", help="输入目录(默认 inputs/ 或 KAC_INPUTS)")
        p.add_argument("--outputs", help="输出目录(默认 outputs/ 或 KAC_OUTPUTS)")

    p = sub.add_parser("run", help="处理并发布一个月份")
    p.add_argument("month", type=_month, help="YYYY-MM")
    folders(p)
    p.add_argument(
        "--executor",
        choices=["in_process", "multiprocess", "celery"],
        help="Dagster 执行方式(默认按 rules.toml 的县数阈值选择,或 KAC_EXECUTOR)",
    )
    p.add_argument(
        "--accept-loss",
        action="store_true",
        help="确认发布:已发布版本采用过的县(市)报表本次被退回或缺失时仍然发布(更正说明中注明)",
    )
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("status", help="查看各县(市)报送情况")
    p.add_argument("month", type=_month)
    folders(p)
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("demo", help="用示例数据运行最新月份")
    folders(p)
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("template", help="生成下发各县的空白报表")
    p.add_argument("month", type=_month)
    folders(p)
    p.set_defaults(func=cmd_template)
    p = sub.add_parser("sample", help="生成示例数据(可指定规模,用于测试与基准)")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=20250101)
    p.add_argument("--customers", type=int, default=2000)
    p.add_argument("--counties", type=int, default=17)
    p.set_defaults(func=cmd_sample)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from pipeline.fonts import MissingFont

    try:
        return args.func(args)
    except (UserError, MissingFont) as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
