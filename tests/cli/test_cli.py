"""The yiye command as a policy officer or an integrator would use it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner, Result

from service.cli import app

FIXTURES = Path(__file__).parents[1] / "fixtures" / "packs"
runner = CliRunner()
MINI = ["--packs-dir", str(FIXTURES), "--pack", "mini"]


def compose_ok(*options: str) -> Result:
    """``yiye compose`` on the mini pack with these options, which must succeed."""
    result = runner.invoke(app, ["compose", *MINI, *options])
    assert result.exit_code == 0, result.output
    return result


def test_compose_prints_a_chinese_summary() -> None:
    result = compose_ok(
        "-i", "shop", "-a", "sells_tobacco=是", "-a", "area_m2=80", "-a", "food_prep=否", "-a", "public_assembly=否"
    )
    assert "烟草专卖零售许可" in result.output
    assert "材料清单" in result.output
    assert "仍需回答" not in result.output


def test_compose_json_is_the_composition() -> None:
    result = compose_ok(
        "-i", "shop", "-a", "sells_tobacco=true", "-a", "food_prep=false", "--json", "-c", "food_business", "--date", "2026-11-26"
    )
    data = json.loads(result.stdout)
    assert [p["id"] for p in data["permits"]] == ["food_business", "tobacco"]
    assert data["pack"]["as_of"] == "2026-11-26"
    assert data["commitments"][0]["permit"] == "food_business"


def test_questions_lists_what_is_still_open() -> None:
    result = runner.invoke(app, ["questions", *MINI, "-i", "shop", "-a", "sells_tobacco=no"])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["public_assembly", "food_prep"]


def test_bad_input_exits_non_zero_and_names_each_problem() -> None:
    result = runner.invoke(app, ["compose", *MINI, "-i", "bakery", "-a", "area_m2=-3", "-a", "novalue", "--json"])
    assert result.exit_code == 2
    errors = json.loads(result.stdout)["errors"]
    assert [e["code"] for e in errors] == ["bad_option"]
    result = runner.invoke(app, ["compose", *MINI, "-i", "bakery", "-a", "area_m2=-3", "--json"])
    assert result.exit_code == 2
    assert [e["code"] for e in json.loads(result.stdout)["errors"]] == ["unknown_industry", "out_of_range"]


def test_unknown_pack_and_bad_date() -> None:
    assert runner.invoke(app, ["compose", "--packs-dir", str(FIXTURES), "--pack", "atlantis", "-i", "shop"]).exit_code == 2
    result = runner.invoke(app, ["compose", *MINI, "-i", "shop", "--date", "2026-13-01"])
    assert result.exit_code == 2
    assert "--date" in result.output


def test_rules_test_runs_scenarios_and_reports_coverage() -> None:
    result = runner.invoke(app, ["rules", "test", "mini", "--packs-dir", str(FIXTURES)])
    assert result.exit_code == 0, result.output
    assert "2 passed, 0 failed" in result.output
    assert "没有情形覆盖的规则" in result.output
    assert "permit|fire_check||1" in result.output


def test_rules_test_fails_on_a_wrong_expectation(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "mini", tmp_path / "mini")
    scenarios = tmp_path / "mini" / "scenarios.yaml"
    scenarios.write_text(
        scenarios.read_text(encoding="utf-8").replace("permits: [food_business, tobacco]", "permits: [food_business]"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["rules", "test", "mini", "--packs-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "失败" in result.output
    assert "tobacco" in result.output


def test_rules_check_reports_file_and_line(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "mini", tmp_path / "mini")
    permits = tmp_path / "mini" / "permits.yaml"
    permits.write_text(permits.read_text(encoding="utf-8").replace("department: police", "department: polce"), encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", "mini", "--packs-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{permits}:" in result.output
    assert "polce" in result.output


def _copy_pair(tmp_path: Path) -> Path:
    for pack in ("mini", "mini-child"):
        shutil.copytree(FIXTURES / pack, tmp_path / pack)
    return tmp_path


def test_rules_check_reports_a_file_that_is_not_utf8_at_its_position_without_a_traceback(tmp_path: Path) -> None:
    root = _copy_pair(tmp_path)
    catalog = root / "mini" / "catalog.yaml"
    lines = catalog.read_bytes().count(b"\n")
    with catalog.open("ab") as handle:
        handle.write("# 东城区\n".encode("gbk"))
    for pack in ("mini", "mini-child"):
        result = runner.invoke(app, ["rules", "check", pack, "--packs-dir", str(root)])
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert f"{catalog}:{lines + 1}: [not_utf8]" in result.output
        assert "UTF-8" in result.output


def test_rules_check_refuses_a_child_whose_parent_is_broken_naming_the_parents_own_line(tmp_path: Path) -> None:
    # The child replaces food_business's whole time_limit, so the parent's mistake never reaches its merged data.
    root = _copy_pair(tmp_path)
    permits = root / "mini" / "permits.yaml"
    permits.write_text(
        permits.read_text(encoding="utf-8").replace("statutory: {days: 20}, committed", "statutory: {days: thirteen}, committed"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["rules", "check", "mini-child", "--packs-dir", str(root)])
    assert result.exit_code == 1, result.output
    assert f"{permits}:7: [schema]" in result.output
    assert "thirteen" in result.output
    assert f"{root / 'mini-child' / 'pack.yaml'}:3: [parent_broken]" in result.output


def test_rules_check_reports_a_parent_loop(tmp_path: Path) -> None:
    root = _copy_pair(tmp_path)
    with (root / "mini" / "pack.yaml").open("a", encoding="utf-8") as handle:
        handle.write("parent: mini-child\n")
    line = (root / "mini" / "pack.yaml").read_text(encoding="utf-8").count("\n")
    result = runner.invoke(app, ["rules", "check", "mini-child", "--packs-dir", str(root)])
    assert result.exit_code == 1, result.output
    assert f"{root / 'mini' / 'pack.yaml'}:{line}: [pack_cycle]" in result.output  # the parent: that closes it
    assert "mini-child → mini → mini-child" in result.output


def test_rules_show_names_the_pack_file_and_line_of_each_field_of_a_permit() -> None:
    result = runner.invoke(app, ["rules", "show", "food_business", "--pack", "mini-child", "--packs-dir", str(FIXTURES)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "food_business" in lines[0]
    assert "mini → mini-child" in lines[0]
    assert "time_limit.statutory.days: 10  ← mini-child mini-child/pack.yaml:8" in lines
    assert "time_limit.committed.days: 10  ← mini mini/permits.yaml:7" in lines  # kept from the parent
    assert "department: market  ← mini mini/permits.yaml:4" in lines


def test_rules_show_refuses_an_unknown_permit() -> None:
    result = runner.invoke(app, ["rules", "show", "tobacco", "--pack", "mini-child", "--packs-dir", str(FIXTURES)])
    assert result.exit_code == 2
    assert "[unknown_permit]" in result.output  # withdrawn by the child


def test_rules_check_warns_of_an_amend_restating_the_parents_value_without_counting_it_a_problem(tmp_path: Path) -> None:
    root = _copy_pair(tmp_path)
    meta = root / "mini-child" / "pack.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("{days: 10}", "{days: 10}, committed: {days: 10}"), encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", "mini", "--packs-dir", str(root)])
    assert "amend_unchanged" not in result.output
    result = runner.invoke(app, ["rules", "check", "mini-child", "--packs-dir", str(root)])
    assert f"{meta}:8: [amend_unchanged] 提醒：" in result.output
    assert "time_limit.committed.days" in result.output
    assert "规则包 mini-child：1 个问题" in result.output  # the question the withdrawn permit leaves unused
