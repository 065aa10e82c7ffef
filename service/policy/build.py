"""A change set's packs built beside the live ones, and checked as `yiye rules check` and `yiye rules test` would."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from composer import Composer
from composer import scenarios as scenario_runner
from rules import checks, packs
from rules.errors import PackError, Problem
from service.workflow.errors import Invalid, problem


@contextmanager
def built(root: Path, files: dict[str, str]) -> Iterator[Path]:
    """A temporary copy of the packs under ``root`` with ``files`` (path under the packs → text) written over it."""
    with tempfile.TemporaryDirectory(prefix="yiye-policy-") as tmp:
        target = Path(tmp) / "packs"
        shutil.copytree(root, target, ignore=shutil.ignore_patterns(".git"))
        for path, text in files.items():
            (target / safe_path(root, path)).write_text(text, encoding="utf-8")
        yield target


def safe_path(root: Path, path: str) -> Path:
    """``path`` when it names an existing YAML file of a pack under ``root``; else Invalid, naming it."""
    candidate = (root / path).resolve()
    if not (candidate.is_relative_to(root.resolve()) and candidate.suffix == ".yaml" and candidate.is_file()):
        raise Invalid([problem("bad_path", f"“{path}”不是规则包中的 YAML 文件", "path", path)])
    return candidate.relative_to(root.resolve())


def check(root: Path, files: dict[str, str], pack_id: str) -> list[Problem]:
    """Every problem of ``pack_id`` (its parents included) with ``files`` applied: loading, static checks, scenarios."""
    with built(root, files) as target:
        prefix = f"{target}/"
        return [Problem(p.code, p.message, p.where.replace(prefix, ""), p.subject) for p in _check_pack(pack_id, target)]


def _check_pack(pack_id: str, root: Path) -> list[Problem]:
    problems = checks.check(pack_id, root)
    if problems:
        return problems
    try:
        composer = Composer(packs.load(pack_id, root))
    except PackError as exc:
        return list(exc.problems)
    failed = []
    for scenario in composer.pack.scenarios:
        outcome = scenario_runner.run(composer, scenario)
        where = composer.pack.location("scenarios", scenario.name)
        failed += [
            Problem("scenario_failed", f"情形“{scenario.name}”未通过：{failure}", where, pack_id) for failure in outcome.failures
        ]
    return failed
