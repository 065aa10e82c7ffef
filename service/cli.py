"""The ``yiye`` command: compose a case, list its open questions, check and test rule packs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from composer import Composer, ComposeRequest, Composition
from composer import scenarios as scenario_runner
from rules import checks, coverage, packs, yamlsource
from rules.errors import InputError, PackError, Problem
from service.cli_audit import register as register_audit
from service.cli_certificates import register as register_certificates
from service.cli_keys import register as register_keys
from service.cli_report import fail_on
from service.cli_serve import register as register_serve
from service.cli_users import register as register_users
from service.cli_worker import register as register_worker
from service.policy import catalogue

app = typer.Typer(help="一业一证 yiye：规则包、组合告知与服务。", no_args_is_help=True, add_completion=False)
rules_app = typer.Typer(help="规则包的静态检查与情形测试。", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
register_serve(app)  # `yiye serve`, `yiye db upgrade|demo|prune` (service/cli_serve.py)
register_users(app)  # `yiye users create` (service/cli_users.py)
register_audit(app)  # `yiye audit verify` (service/cli_audit.py)
register_worker(app)  # `yiye worker`, `yiye outbox status|retry` (service/cli_worker.py)
register_keys(app)  # `yiye keys list|rotate|retire` (service/cli_keys.py)
register_certificates(app)  # `yiye certificates verify FILE.pdf` (service/cli_certificates.py)

PackOption = Annotated[str, typer.Option("--pack", "-p", help="规则包 id")]
PacksDir = Annotated[Path, typer.Option("--packs-dir", help="规则包所在目录", exists=True, file_okay=False)]
DateOption = Annotated[str | None, typer.Option("--date", help="按哪一天有效的规定（YYYY-MM-DD），默认今天")]
Industries = Annotated[list[str] | None, typer.Option("--industry", "-i", help="行业 id，可多次")]
Scope = Annotated[list[str] | None, typer.Option("--scope", "-s", help="经营范围 id，可多次")]
Answers = Annotated[list[str] | None, typer.Option("--answer", "-a", help="回答 key=value，可多次；value 为 unknown 表示不确定")]
Commits = Annotated[list[str] | None, typer.Option("--commit", "-c", help="选择告知承诺的许可事项 id，可多次")]
AsJson = Annotated[bool, typer.Option("--json", help="输出 JSON（与 API 相同）")]
Lang = Annotated[str, typer.Option("--lang", help="zh 或 en")]


@app.command()
def compose(
    pack: PackOption = packs.DEFAULT_PACK,
    when: DateOption = None,
    industry: Industries = None,
    scope: Scope = None,
    answer: Answers = None,
    commit: Commits = None,
    as_json: AsJson = False,
    lang: Lang = "zh",
    packs_dir: PacksDir = packs.PACKS_DIR,
) -> None:
    """组合一次告知: 需要办理的许可、统一申请表、材料清单、告知承诺与理由。"""
    composition = _compose(pack, when, industry, scope, answer, commit, lang, packs_dir, as_json)
    if as_json:
        typer.echo(composition.model_dump_json(indent=2))
    else:
        typer.echo(summary(composition))


@app.command()
def questions(
    pack: PackOption = packs.DEFAULT_PACK,
    when: DateOption = None,
    industry: Industries = None,
    scope: Scope = None,
    answer: Answers = None,
    as_json: AsJson = False,
    lang: Lang = "zh",
    packs_dir: PacksDir = packs.PACKS_DIR,
) -> None:
    """列出仍可能改变结果的问题, 按提问顺序。"""
    composition = _compose(pack, when, industry, scope, answer, None, lang, packs_dir, as_json)
    if as_json:
        typer.echo(json.dumps([q.model_dump(mode="json") for q in composition.questions], ensure_ascii=False, indent=2))
        return
    if not composition.questions:
        typer.echo("没有待回答的问题：结果已确定。")
    for q in composition.questions:
        options = " / ".join(f"{value}={label}" for value, label in q.options) or q.type
        unknown = " (可答 unknown)" if q.allow_unknown else ""
        typer.echo(f"{q.id}: {q.text} [{options}{' ' + q.unit if q.unit else ''}]{unknown} → 影响 {', '.join(q.affects)}")


@rules_app.command("check")
def rules_check(
    pack: Annotated[str, typer.Argument(help="规则包 id")] = packs.DEFAULT_PACK,
    packs_dir: PacksDir = packs.PACKS_DIR,
) -> None:
    """静态检查: 格式、悬空引用、循环、不可达要素、未用的问题与材料、缺少法律依据。"""
    warnings: list[Problem] = []
    problems = checks.check(pack, packs_dir, warnings)
    for warning in warnings:
        typer.echo(f"{warning.where}: [{warning.code}] 提醒：{warning.message}", err=True)
    fail_on([f"{p.where}: [{p.code}] {p.message}" for p in problems], f"规则包 {pack}：{len(problems)} 个问题")
    typer.echo(f"规则包 {pack}：检查通过")


@rules_app.command("show")
def rules_show(
    permit: Annotated[str, typer.Argument(help="许可事项 id")],
    pack: PackOption = packs.DEFAULT_PACK,
    packs_dir: PacksDir = packs.PACKS_DIR,
) -> None:
    """显示合并上级规则包后的许可事项: 每个字段的取值, 及其来自哪个规则包的哪个文件第几行。"""
    try:
        resolved, merged = packs.resolve(pack, packs_dir)
    except PackError as exc:
        _print_problems(exc.problems, as_json=False)
        raise typer.Exit(1) from exc
    raw = merged["permits"].get(permit)
    if raw is None:
        known = "、".join(sorted(resolved.permits)[:20])
        message = f"规则包“{pack}”中没有许可事项“{permit}”（如：{known}）"
        _print_problems([Problem("unknown_permit", message, "PERMIT", permit)], as_json=False)
        raise typer.Exit(2)
    typer.echo(f"许可事项 {permit}「{resolved.permits[permit].name.zh}」 规则包 {pack}（{' → '.join(resolved.chain)}）")
    for field, value, file, line in yamlsource.leaves(raw.data):
        where = Path(file).relative_to(packs_dir) if Path(file).is_relative_to(packs_dir) else Path(file)
        typer.echo(f"{field}: {catalogue.as_yaml(value)}  ← {where.parts[0]} {where.as_posix()}:{line}")


@rules_app.command("test")
def rules_test(
    pack: Annotated[str, typer.Argument(help="规则包 id")] = packs.DEFAULT_PACK,
    packs_dir: PacksDir = packs.PACKS_DIR,
) -> None:
    """运行规则包的情形测试, 并列出没有情形覆盖的规则、许可、问题和材料。"""
    composer = _load(pack, packs_dir)
    outcomes = [scenario_runner.run(composer, s) for s in composer.pack.scenarios]
    for outcome in outcomes:
        mark = "通过" if outcome.passed else "失败"
        typer.echo(f"[{mark}] {outcome.scenario.name}")
        for failure in outcome.failures:
            typer.echo(f"    {failure}")
    uncovered = scenario_runner.coverage(composer, outcomes)
    for label, items in (
        ("规则", uncovered.rules),
        ("许可事项", uncovered.permits),
        ("问题", uncovered.questions),
        ("材料", uncovered.materials),
    ):
        if items:
            typer.echo(f"没有情形覆盖的{label}（{len(items)}）：{', '.join(items)}")
    typer.echo(checks.inferred_summary(composer.pack))
    typer.echo(checks.contact_summary(composer.pack))
    failed = sum(not o.passed for o in outcomes)
    typer.echo(f"{len(outcomes) - failed} passed, {failed} failed")
    if failed or not outcomes:
        raise typer.Exit(1)


RESEARCH_CATALOGUE = Path(__file__).resolve().parents[1].parent / "shared" / "research" / "catalog-draft.yaml"
"""The research catalogue beside the repository (../shared/research), as the issue names it."""


@rules_app.command("coverage")
def rules_coverage(
    catalogue: Annotated[Path, typer.Option(help="研究目录 catalog-draft.yaml")] = RESEARCH_CATALOGUE,
    output: Annotated[Path, typer.Option(help="写入的覆盖表")] = packs.PACKS_DIR / "COVERAGE.md",
    packs_dir: PacksDir = packs.PACKS_DIR,
) -> None:
    """生成覆盖表: 研究目录中每个已公布的事项、材料和行业套餐 → 规则包实体, 或缺少的原因。"""
    if not catalogue.is_file():
        missing = Problem("no_catalogue", f"找不到研究目录“{catalogue}”，请用 --catalogue 指定", "--catalogue")
        _print_problems([missing], as_json=False)
        raise typer.Exit(2)
    text = coverage.table(catalogue, packs_dir)
    output.write_text(text, encoding="utf-8")
    gaps = text.count(f"| {coverage.UNEXPLAINED} |")
    typer.echo(f"已写入 {output}；未说明的缺口 {gaps} 个")
    if gaps:
        raise typer.Exit(1)


def _load(pack: str, packs_dir: Path) -> Composer:
    try:
        return Composer.load(pack, packs_dir)
    except PackError as exc:
        _print_problems(exc.problems, as_json=False)
        raise typer.Exit(1) from exc


def _compose(
    pack: str,
    when: str | None,
    industry: list[str] | None,
    scope: list[str] | None,
    answer: list[str] | None,
    commit: list[str] | None,
    lang: str,
    packs_dir: Path,
    as_json: bool,
) -> Composition:
    problems: list[Problem] = []
    answers: dict[str, str] = {}
    for index, pair in enumerate(answer or []):
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            problems.append(Problem("bad_option", f"--answer 应写成 key=value, 收到“{pair}”", f"--answer[{index}]"))
        else:
            answers[key.strip()] = value.strip()
    as_of = None
    if when is not None:
        try:
            as_of = date.fromisoformat(when)
        except ValueError:
            problems.append(Problem("bad_option", f"--date 应为 YYYY-MM-DD, 收到“{when}”", "--date"))
    if lang not in ("zh", "en"):
        problems.append(Problem("bad_option", f"--lang 只能是 zh 或 en，收到“{lang}”", "--lang"))
    if problems:
        _print_problems(problems, as_json)
        raise typer.Exit(2)
    if pack not in packs.available(packs_dir):
        known = "、".join(packs.available(packs_dir))
        _print_problems(
            [Problem("unknown_pack", f"没有名为“{pack}”的规则包（可用：{known}）", "--pack", pack)],
            as_json,
        )
        raise typer.Exit(2)
    composer = _load(pack, packs_dir)
    request = ComposeRequest(
        pack=pack,
        as_of=as_of,
        industries=industry or [],
        scope=scope or [],
        answers=answers,
        commit=commit or [],
        locale=lang,
    )
    try:
        return composer.compose(request)
    except InputError as exc:
        _print_problems(exc.problems, as_json)
        raise typer.Exit(2) from exc


def _print_problems(problems: list[Problem], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"errors": [p.as_dict() for p in problems]}, ensure_ascii=False, indent=2))
    for problem in problems:
        typer.echo(f"错误 [{problem.code}] {problem}", err=True)


def summary(c: Composition) -> str:
    """A readable Chinese (or English) summary of a composition for the terminal."""
    lines = [c.notice.title, *c.notice.refusals, c.notice.intro, ""]
    for p in c.permits:
        commit = "可告知承诺" if p.commitment.eligible else "不适用告知承诺"
        if p.commitment.chosen:
            commit = "已选择告知承诺"
        lines.append(
            f"[{p.stage}] {p.name} — {p.department_name}；"
            f"法定 {p.statutory_limit.text}，按本次选择 {p.effective_limit.text}；{commit}"
        )
        lines.append(f"    依据：{'；'.join(p.legal_basis)}")
        for d in p.depends_on:
            lines.append(f"    需先取得：{d.name}" + (f"（使用其“{d.uses_name}”）" if d.uses_name else ""))
    lines.append("")
    lines.append("材料清单（相同材料只交一份）：")
    names = {p.id: p.name for p in c.permits}
    for m in c.materials:
        layers = f"（含：{'、'.join(m.variants)}）" if m.variants else ""
        note = f" — {m.note}" if m.note else ""
        lines.append(f"  - {m.name}{layers} ← {'、'.join(names[p] for p in m.permits)}{note}")
    lines.append("")
    fields = sum(len(s.fields) for s in c.form.sections)
    lines.append(
        f"统一申请表：{len(c.form.sections)} 个部分，{fields} 个字段"
        + (f"；另附 {len(c.form.sheets)} 张单独申请表" if c.form.sheets else "")
    )
    b, a = c.savings.before, c.savings.after
    lines.append(
        f"压减：申请表 {b.forms}→{a.forms}，材料 {b.materials}→{a.materials}，"
        f"填表要素 {b.form_fields}→{a.form_fields}，时限 {b.working_days}→{a.working_days} 个工作日"
    )
    if c.questions:
        lines.append("")
        lines.append("仍需回答的问题（可能改变结果）：")
        lines.extend(f"  - {q.id}: {q.text}" for q in c.questions)
    lines.append("")
    lines.append(c.notice.closing)
    return "\n".join(lines)
