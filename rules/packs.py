"""Rule packs: a folder of YAML per jurisdiction, overlaying an optional parent pack.

A pack folder holds ``pack.yaml`` (id, name, parent, and what it ``withdraw``s from or
``amend``s in its parent) and any number of entity files, each a mapping from an entity kind
(``permits``, ``questions``, …) to a list. An entity with the id of a parent's entity replaces
it; ``withdraw`` removes it; ``amend`` changes only what it names: mappings merge key by key, so
``time_limit: {committed: {days: 5}}`` keeps the parent's statutory limit and source, while lists,
conditions and ``null`` (which clears a field) replace the parent's value.

Loading validates everything and resolves every reference. A pack with any error is refused
whole, with every problem listed as ``file:line``; the caller keeps the pack it had.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from rules import yamlsource
from rules.conditions import SET_OPS, Condition, implied_literals, keys_of, normal_form
from rules.errors import PackError, Problem
from rules.model import (
    ENTITY_KINDS,
    NATIONAL_WORDING,
    Department,
    Effective,
    FormField,
    Industry,
    Lifecycle,
    Material,
    MaterialRef,
    PackMeta,
    Permit,
    Question,
    QuestionType,
    RuleModel,
    Scenario,
    ScopeItem,
    entity_id,
)

log = logging.getLogger("yiye.packs")

PACKS_DIR = Path(__file__).parent / "packs"
PACK_ID = re.compile(r"[a-z][a-z0-9-]{0,62}")
"""What ``PackId`` in the model allows."""
DEFAULT_PACK = "beijing-dongcheng"


@dataclass(frozen=True)
class Origin:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class _Raw:
    data: Any
    origin: Origin


Epoch = tuple[tuple[str, str | None], ...]
"""Which version of each versioned permit is in force: (permit, version id or None)."""


@dataclass(frozen=True)
class Pack:
    """A resolved pack: its parent chain applied, every reference checked."""

    meta: PackMeta
    chain: tuple[str, ...]
    version: str
    departments: dict[str, Department]
    questions: dict[str, Question]
    scope_items: dict[str, ScopeItem]
    industries: dict[str, Industry]
    permits: dict[str, Permit]
    materials: dict[str, Material]
    fields: dict[str, FormField]
    scenarios: list[Scenario]
    origins: dict[tuple[str, str], Origin] = field(repr=False)
    directory: Path = field(repr=False)
    lifecycle: dict[str, Lifecycle] = field(default_factory=dict)
    """what a change, an extension, a suspension or a cancellation of the certificate asks for, by kind."""

    @property
    def id(self) -> str:
        return self.meta.id

    def epoch(self, day: date) -> Epoch:
        """Which version of each versioned permit is in force on a day: days alike here read the pack alike."""
        return tuple((pid, p.version_on(day)) for pid, p in self.permits.items() if p.versions)

    def read_on(self, day: date) -> Pack:
        """The pack as it reads on a day: each permit with dated versions replaced by the one in force."""
        if not any(version for _, version in self.epoch(day)):
            return self
        return replace(self, permits={pid: p.read_on(day) for pid, p in self.permits.items()})

    def permit_id(self, id_: str) -> str:
        """The permit an id names now: itself, or the permit a former id was merged into."""
        return next((pid for pid, p in self.permits.items() if id_ in p.formerly), id_)

    def origin(self, kind: str, id_: str) -> str:
        """``file:line`` of an entity, the file as read (for rule authors)."""
        found = self.origins.get((kind, id_))
        return str(found) if found else ""

    def location(self, kind: str, id_: str) -> str:
        """``pack/file.yaml:line`` of an entity, relative to the packs folder (safe to publish)."""
        found = self.origins.get((kind, id_))
        if not found:
            return ""
        return f"{_published(found.file, self.directory)}:{found.line}"


@cache
def _published(file: str, directory: Path) -> str:
    """A file of the pack in ``directory`` relative to the packs folder, as ``Pack.location`` shows it.

    Kept: every compose asks for the same few files, and paths are slow to build and compare."""
    path, root = Path(file), directory.parent
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name


def available(root: Path = PACKS_DIR) -> list[str]:
    """Ids of the packs under ``root`` (folders holding a pack.yaml)."""
    return sorted(p.parent.name for p in root.glob("*/pack.yaml"))


def load(pack_id: str, root: Path = PACKS_DIR, cache: Path | None = None) -> Pack:
    """Load, overlay, validate and cross-check one pack and its parents. Raises PackError listing every problem.

    Each link of the chain is checked as a pack of its own before the next overlays it: a child
    is never built on a broken parent, and a parent's problems are reported at its own files.

    ``cache`` is a folder where the parsed YAML of a pack that loaded cleanly is kept as JSON under
    its content hash (YAML parsing is most of the load time of a large pack, and every worker
    process loads every pack), beside a record of the last version of each pack that loaded
    cleanly (:func:`load_last_good`). Cached data is validated like the YAML it came from, and a
    changed file changes the hash.
    """
    with collector_paused():
        chain = _chain(pack_id, root)
        version = _version(root, [link for link, _ in chain])
        cached = _read_cache(cache, root, pack_id, version)
        if cached is not None:
            meta, links, merged = cached
            pack = _build(meta, links, version, merged, root / pack_id, {})
        else:
            pack, merged = _resolve(chain, root, version)
            _write_cache(cache, root, pack, merged)
    _remember_good(cache, root, pack)
    return pack


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector while a pack is built (nested: the outermost resumes it).

    Building a large pack makes hundreds of thousands of containers that all live on, and the
    collector walked them again at every threshold it crossed; one pass after the build is enough.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_last_good(pack_id: str, root: Path = PACKS_DIR, cache: Path | None = None) -> Pack | None:
    """The last version of ``pack_id`` under ``root`` that loaded cleanly, from ``cache``; None if none is kept."""
    if cache is None:
        return None
    try:
        version = json.loads(_good_file(cache, root, pack_id).read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    cached = _read_cache(cache, root, pack_id, version)
    if cached is None:
        return None
    meta, links, merged = cached
    try:
        return _build(meta, links, version, merged, root / pack_id, {})
    except PackError:
        return None  # kept by an older yiye whose model accepted it: nothing to fall back to


Merged = dict[str, dict[str, _Raw]]
Validated = dict[tuple[str, str], tuple[_Raw, RuleModel]]


def resolve(pack_id: str, root: Path = PACKS_DIR, notes: list[Problem] | None = None) -> tuple[Pack, Merged]:
    """A pack and the merged YAML data of each entity, every key knowing its file and line (never cached).

    For ``yiye rules check`` and ``rules show``; ``notes`` collects amends that restate their parent's value.
    """
    chain = _chain(pack_id, root)
    return _resolve(chain, root, _version(root, [link for link, _ in chain]), notes)


def _resolve(
    chain: list[tuple[str, yamlsource.LineMap]], root: Path, version: str, notes: list[Problem] | None = None
) -> tuple[Pack, Merged]:
    """Overlay the links of ``chain`` in order, building each as a pack; the first broken link stops it."""
    merged: Merged = {kind: {} for kind in ENTITY_KINDS}
    validated: Validated = {}
    pack: Pack | None = None
    wording = NATIONAL_WORDING
    for depth, (link, meta_data) in enumerate(chain):
        problems: list[Problem] = []
        merged["scenarios"] = {}  # a pack's scenarios are its own: an overlay may change the outcome
        meta = _merge_link(root / link, meta_data, merged, problems, notes)
        last = depth == len(chain) - 1
        if meta is not None:
            meta = meta.model_copy(update={"wording": meta.wording.over(wording)})
            wording = meta.wording
        links = [name for name, _ in chain[: depth + 1]]
        try:
            if meta is None:
                raise PackError(problems)
            pack = _build(meta, links, version if last else "", merged, root / link, validated, problems)
        except PackError as exc:
            if last:
                raise
            child, child_meta = chain[depth + 1]
            where = f"{root / child / 'pack.yaml'}:{child_meta.lines.get('parent', 1)}"
            message = f"上级规则包 '{link}' 有 {len(exc.problems)} 个问题，不能在它之上加载 '{chain[-1][0]}'"
            refused = Problem("parent_broken", message, where, link)
            raise PackError([*exc.problems, refused]) from exc
    assert pack is not None
    return pack, merged


def _build(
    meta: PackMeta,
    chain: Sequence[str],
    version: str,
    merged: Merged,
    directory: Path,
    validated: Validated,
    problems: list[Problem] | None = None,
) -> Pack:
    """Validate the merged entities (reusing those ``validated`` from the same raw data) and cross-check them."""
    problems = problems if problems is not None else []
    # Files that did parse are still validated, so one broken file does not hide the others' problems.
    entities: dict[str, dict[str, Any]] = {kind: {} for kind in ENTITY_KINDS}
    origins: dict[tuple[str, str], Origin] = {}
    for kind, raws in merged.items():
        model = ENTITY_KINDS[kind]
        for key, raw in raws.items():
            origins[(kind, key)] = raw.origin
            versions = raw.data.get("versions") if kind == "permits" and isinstance(raw.data, dict) else None
            if isinstance(versions, yamlsource.LineMap):
                origins.update({(kind, f"{key}@{vid}"): Origin(*versions.where(vid)) for vid in versions})
            known = validated.get((kind, key))
            if known is not None and known[0] is raw:
                entities[kind][key] = known[1]
                continue
            try:
                entities[kind][key] = model.model_validate(raw.data)
            except ValidationError as exc:
                problems.extend(_validation_problems(exc, raw, kind, key))
            else:
                validated[(kind, key)] = (raw, entities[kind][key])
    if problems:
        raise PackError(problems)
    pack = Pack(
        meta=meta,
        chain=tuple(chain),
        version=version,
        departments=entities["departments"],
        questions=entities["questions"],
        scope_items=entities["scope_items"],
        industries=entities["industries"],
        permits=entities["permits"],
        materials=entities["materials"],
        fields=entities["fields"],
        scenarios=list(entities["scenarios"].values()),
        origins=origins,
        directory=directory,
        lifecycle=entities["lifecycle"],
    )
    problems.extend(references(pack))
    problems.extend(dependency_cycles(pack))
    if problems:
        raise PackError(problems)
    return pack


# --- the parsed-pack cache and the last good version -------------------------------------------


CACHE_FORMAT = 3
"""Bumped when the same files would merge differently (2: amends deep-merge; 3: wording along the chain), so no
stale merge is read back."""


def _cache_file(cache: Path, pack_id: str, version: str) -> Path:
    return cache / f"{pack_id}-{version}.v{CACHE_FORMAT}.json"


def _good_file(cache: Path, root: Path, pack_id: str) -> Path:
    """Where the last good version of a pack is recorded: per packs folder, so two folders never mix."""
    folder = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    return cache / "last-good" / folder / f"{pack_id}.json"


def _read_cache(cache: Path | None, root: Path, pack_id: str, version: str) -> tuple[PackMeta, list[str], Merged] | None:
    """The meta, chain and merged entities of a pack version as cached; None when not cached (or unreadable)."""
    if cache is None:
        return None
    try:
        data = json.loads(_cache_file(cache, pack_id, version).read_text(encoding="utf-8"))
        meta = PackMeta.model_validate(data["meta"])
        chain = [str(link) for link in data["chain"]]
        merged = {
            kind: {key: _Raw(raw, Origin(str(root / file), line)) for key, raw, file, line in entries}
            for kind, entries in data["entities"].items()
        }
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing, torn or written by an older yiye: parse the YAML
    return meta, chain, merged


def _write_cache(cache: Path | None, root: Path, pack: Pack, merged: Merged) -> None:
    if cache is None:
        return
    payload = {
        "chain": list(pack.chain),
        "meta": pack.meta.model_dump(mode="json", by_alias=True, exclude_defaults=True),
        "entities": {
            kind: [[key, raw.data, _relative(raw.origin.file, root), raw.origin.line] for key, raw in raws.items()]
            for kind, raws in merged.items()
        },
    }
    _write_json(cache, _cache_file(cache, pack.id, pack.version), payload)


def _remember_good(cache: Path | None, root: Path, pack: Pack) -> None:
    if cache is not None:
        _write_json(cache, _good_file(cache, root, pack.id), {"version": pack.version})


def _write_json(cache: Path, target: Path, payload: Any) -> None:
    """Write ``payload`` to ``target`` atomically: a reader sees the old file or the new one, never half."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, delete=False, suffix=".tmp") as handle:
            json.dump(payload, handle, ensure_ascii=False)
        os.replace(handle.name, target)
    except OSError as exc:
        log.warning("pack cache not written", extra={"path": str(target), "error": str(exc)})  # costs time, not service


def _relative(file: str, root: Path) -> str:
    path = Path(file)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name


# --- reading and overlaying the YAML -----------------------------------------------------------


def _chain(pack_id: str, root: Path) -> list[tuple[str, yamlsource.LineMap]]:
    """Pack ids from the root ancestor down to ``pack_id``, each with its parsed pack.yaml."""
    chain: list[tuple[str, yamlsource.LineMap]] = []
    current: str | None = pack_id
    while current is not None:
        meta_file = root / current / "pack.yaml"
        names = [name for name, _ in chain]
        if current in names:
            where = f"{root / names[-1] / 'pack.yaml'}:{chain[-1][1].lines.get('parent', 1)}"
            loop = " → ".join([*names, current])
            raise PackError([Problem("pack_cycle", f"规则包父子关系成环：{loop}", where, current)])
        if not meta_file.is_file():
            where = f"{root / names[-1] / 'pack.yaml'}:{chain[-1][1].lines.get('parent', 1)}" if chain else ""
            raise PackError([Problem("unknown_pack", f"没有名为 '{current}' 的规则包", where, current)])
        data = _read_yaml(meta_file)
        if not isinstance(data, yamlsource.LineMap):
            raise PackError([Problem("not_a_mapping", "pack.yaml 顶层必须是映射（id, name, parent …）", f"{meta_file}:1")])
        chain.append((current, data))
        current = data.get("parent")
        if current is not None and not (isinstance(current, str) and PACK_ID.fullmatch(current)):
            # checked before it names a folder to read: a parent like '../x' must not reach outside the packs
            message = f"parent 必须是规则包 id（小写字母、数字和连字符），收到 {current!r}"
            raise PackError([Problem("bad_parent", message, f"{meta_file}:{data.lines['parent']}")])
    return list(reversed(chain))


def _read_yaml(path: Path) -> Any:
    """One parsed YAML file; raises PackError when it cannot be read or parsed."""
    try:
        return yamlsource.load(path)
    except yaml.YAMLError as exc:
        raise PackError([_yaml_problem(exc, path)]) from exc
    except OSError as exc:
        raise PackError([_unreadable(exc, path)]) from exc
    except RecursionError as exc:  # nesting deeper than the interpreter's stack: no rule needs it
        raise PackError([Problem("too_deep", "YAML 嵌套层次过深", f"{path}:1")]) from exc


def _merge_link(
    folder: Path, meta_data: yamlsource.LineMap, merged: Merged, problems: list[Problem], notes: list[Problem] | None
) -> PackMeta | None:
    meta_file = folder / "pack.yaml"
    try:
        meta = PackMeta.model_validate(meta_data)
    except ValidationError as exc:
        problems.extend(_validation_problems(exc, _Raw(meta_data, Origin(str(meta_file), 1)), "pack", folder.name))
        return None
    if meta.id != folder.name:
        problems.append(
            Problem(
                "pack_id_mismatch",
                f"pack.yaml 的 id '{meta.id}' 与文件夹名 '{folder.name}' 不一致",
                f"{meta_file}:{meta_data.line}",
            )
        )

    for kind, ids in meta.withdraw.items():
        for id_ in ids:
            if kind not in merged or id_ not in merged[kind]:
                problems.append(
                    Problem(
                        "withdraw_unknown",
                        f"要撤回的 {kind} '{id_}' 在上级规则包中不存在",
                        f"{meta_file}:{yamlsource.line_of(meta_data, ['withdraw', kind])}",
                        id_,
                    )
                )
            else:
                del merged[kind][id_]
    for kind, patches in meta_data.get("amend", {}).items():
        for id_, patch in patches.items():
            where = Origin(str(meta_file), yamlsource.line_of(meta_data, ["amend", kind, id_]))
            if kind not in merged or id_ not in merged[kind]:
                problems.append(Problem("amend_unknown", f"要修改的 {kind} '{id_}' 在上级规则包中不存在", str(where), id_))
                continue
            merged[kind][id_] = _Raw(_amended(merged[kind][id_].data, patch, notes, (f"{kind} '{id_}'",)), where)

    seen_here: set[tuple[str, str]] = set()
    for path in _entity_files(folder):
        try:
            data = _read_yaml(path)
        except PackError as exc:
            problems.extend(exc.problems)
            continue
        if data is None:
            continue
        if not isinstance(data, yamlsource.LineMap):
            problems.append(Problem("not_a_mapping", "规则文件顶层必须是映射（如 permits: [...]）", f"{path}:1"))
            continue
        for kind, entries in data.items():
            line = data.lines.get(kind, 1)
            if kind not in ENTITY_KINDS:
                known = ", ".join(ENTITY_KINDS)
                problems.append(Problem("unknown_kind", f"未知的实体类别 '{kind}'（可用：{known}）", f"{path}:{line}", str(kind)))
                continue
            if not isinstance(entries, yamlsource.LineList):
                problems.append(Problem("not_a_list", f"'{kind}' 下应为列表", f"{path}:{line}", kind))
                continue
            for index, entry in enumerate(entries):
                origin = Origin(str(path), entries.lines[index])
                key = _raw_id(kind, entry)
                if key is None:
                    problems.append(Problem("missing_id", f"{kind} 条目缺少 id", str(origin)))
                    continue
                if (kind, key) in seen_here:
                    problems.append(Problem("duplicate_id", f"{kind} '{key}' 在本规则包中重复定义", str(origin), key))
                    continue
                seen_here.add((kind, key))
                merged[kind][key] = _Raw(entry, origin)
    return meta


CONDITIONS = frozenset({"applies_when", "when", "relevant_when"})
"""Fields an amend replaces whole: a condition is one expression, and merging two would make a third nobody wrote."""


def _amended(
    base: yamlsource.LineMap, patch: yamlsource.LineMap, notes: list[Problem] | None, path: tuple[str, ...] = ()
) -> yamlsource.LineMap:
    """``base`` with ``patch`` merged in: mappings key by key, anything else (lists, conditions, null) replaced.

    Each key of the result remembers the file it came from; ``notes`` collects the values ``patch`` restates.
    """
    result = yamlsource.LineMap(base)
    result.file, result.line = base.file, base.line
    result.lines = dict(base.lines)
    result.files = {key: base.where(key)[0] for key in base}
    for key, value in patch.items():
        old = base.get(key)
        if isinstance(old, yamlsource.LineMap) and isinstance(value, yamlsource.LineMap) and key not in CONDITIONS:
            value = _amended(old, value, notes, (*path, str(key)))
        elif key in base and value == old and notes is not None:
            dotted = ".".join((*path, str(key))[1:])
            message = f"{path[0]} 的修改项 {dotted} 与上级规则包的取值相同（{_shown(value)}），可以删去"
            notes.append(Problem("amend_unchanged", message, "{}:{}".format(*patch.where(key)), path[0]))
        result[key] = value
        result.files[key], result.lines[key] = patch.where(key)
    return result


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _entity_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*.yaml")):
        if path.name != "pack.yaml":
            yield path


def _raw_id(kind: str, entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return None
    key = {"materials": "key", "scenarios": "name"}.get(kind, "id")
    value = entry.get(key)
    return str(value) if value is not None else None


def _validation_problems(exc: ValidationError, raw: _Raw, kind: str, key: str) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = list(error["loc"])
        file, line = yamlsource.origin_of(raw.data, loc) if isinstance(raw.data, dict) else ("", 0)
        where = f"{file or raw.origin.file}:{line or raw.origin.line}"
        dotted = ".".join(str(p) for p in loc if not (isinstance(p, str) and p[:1].isupper()))
        bad = error.get("input")
        shown = f"（值：{bad!r}）" if not isinstance(bad, dict | list) and bad is not None else ""
        problems.append(Problem("schema", f"{kind} '{key}' 的 {dotted or '条目'}：{error['msg']}{shown}", where, key))
    return problems


def _yaml_problem(exc: yaml.YAMLError, path: Path) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    if isinstance(exc, yamlsource.EncodingError):
        return Problem("not_utf8", f"文件{exc.problem}", f"{path}:{line}")
    return Problem("yaml_syntax", f"YAML 语法错误：{getattr(exc, 'problem', None) or exc}", f"{path}:{line}")


def _unreadable(exc: OSError, path: Path) -> Problem:
    return Problem("unreadable", f"无法读取规则文件：{exc.strerror or exc}", f"{path}:1")


def version_of(pack_id: str, root: Path = PACKS_DIR) -> str:
    """The version (content hash) ``pack_id`` under ``root`` would load as, without loading it."""
    return _version(root, [link for link, _ in _chain(pack_id, root)])


def _version(root: Path, chain: list[str]) -> str:
    """A content hash of every file of the pack and its parents, as published."""
    digest = hashlib.sha256()
    for link in chain:
        folder = root / link
        for path in [folder / "pack.yaml", *_entity_files(folder)]:
            digest.update(f"{link}/{path.relative_to(folder).as_posix()}\0".encode())
            try:
                digest.update(path.read_bytes())
            except OSError as exc:  # deleted or replaced since the folder was listed
                raise PackError([_unreadable(exc, path)]) from exc
            digest.update(b"\0")
    return digest.hexdigest()[:16]


# --- cross-references --------------------------------------------------------------------


def references(pack: Pack) -> list[Problem]:
    """Every id a pack entity names must exist, and every answer test must fit its question."""
    problems: list[Problem] = []

    def missing(kind: str, owner_id: str, label: str, what: str, ref: str) -> None:
        problems.append(Problem("dangling_reference", f"{label} 引用了不存在的{what} '{ref}'", pack.origin(kind, owner_id), ref))

    def check_condition(kind: str, owner_id: str, label: str, condition: Condition | None) -> None:
        if condition is None:
            return
        try:
            dnf = normal_form(condition)
        except ValueError as exc:
            problems.append(Problem("condition_too_large", f"{label}: {exc}", pack.origin(kind, owner_id), owner_id))
            return
        for scope_id in keys_of(dnf, "scope"):
            if scope_id not in pack.scope_items:
                problems.append(
                    Problem(
                        "dangling_reference",
                        f"{label} 的条件引用了不存在的经营范围 '{scope_id}'",
                        pack.origin(kind, owner_id),
                        scope_id,
                    )
                )
        for conj in dnf:
            for lit in conj:
                if lit.kind == "answer":
                    issue = _literal_issue(pack.questions.get(lit.key), lit.op, lit.value)
                    if issue:
                        problems.append(
                            Problem("bad_condition", f"{label} 的条件 '{lit.key}'：{issue}", pack.origin(kind, owner_id), lit.key)
                        )

    def check_implies(kind: str, owner_id: str, implies: dict[str, Any]) -> None:
        for qid, value in implies.items():
            question = pack.questions.get(qid)
            issues = (_literal_issue(question, lit.op, lit.value) for lit in implied_literals(qid, value))
            issue = next(filter(None, issues), None)
            if issue:
                problems.append(
                    Problem("bad_implies", f"{kind} '{owner_id}' 的 implies '{qid}': {issue}", pack.origin(kind, owner_id), qid)
                )

    def check_material_refs(owner_id: str, label: str, refs: Sequence[MaterialRef]) -> None:
        for ref in refs:
            material = pack.materials.get(ref.material)
            if material is None:
                missing("permits", owner_id, label, "材料", ref.material)
            elif ref.variant and ref.variant not in {v.id for v in material.variants}:
                problems.append(
                    Problem(
                        "dangling_reference",
                        f"{label} 引用了材料 '{ref.material}' 不存在的版本 '{ref.variant}'",
                        pack.origin("permits", owner_id),
                        ref.variant,
                    )
                )
            check_condition("permits", owner_id, f"{label} 的材料 {ref.material}", ref.when)

    for q in pack.questions.values():
        check_condition("questions", q.id, f"问题 {q.id}", q.relevant_when)
    for item in pack.scope_items.values():
        check_implies("scope_items", item.id, item.implies)
    for ind in pack.industries.values():
        for scope_id in ind.scope:
            if scope_id not in pack.scope_items:
                missing("industries", ind.id, f"行业 {ind.id}", "经营范围", scope_id)
        check_implies("industries", ind.id, ind.implies)
    for m in pack.materials.values():
        if m.produced_by and m.produced_by not in pack.permits:
            missing("materials", m.key, f"材料 {m.key}", "许可事项", m.produced_by)
    for f in pack.fields.values():
        if f.prefill_from and f.prefill_from not in pack.questions:
            missing("fields", f.id, f"字段 {f.id}", "问题", f.prefill_from)

    def check_permit(p: Permit, label: str) -> None:
        if p.department not in pack.departments:
            missing("permits", p.id, label, "部门", p.department)
        check_condition("permits", p.id, label, p.applies_when)
        check_condition("permits", p.id, f"{label} 的告知承诺", p.notify_commit.when)
        for dep in p.depends_on:
            if dep.permit not in pack.permits:
                missing("permits", p.id, label, "前置事项", dep.permit)
            if dep.uses and dep.uses not in pack.materials:
                missing("permits", p.id, label, "材料", dep.uses)
        for fid in p.fields:
            if fid not in pack.fields:
                missing("permits", p.id, label, "表单字段", fid)
        check_material_refs(p.id, label, p.materials)
        own = {ref.material for ref in p.materials} | {ref.material for e in p.elements for ref in e.materials}
        for key in [*p.notify_commit.deferred_materials, *p.notify_commit.replaces_materials]:
            if key not in own:
                problems.append(
                    Problem(
                        "dangling_reference",
                        f"{label} 的告知承诺引用了本事项未要求的材料 '{key}'",
                        pack.origin("permits", p.id),
                        key,
                    )
                )
        for refusal in p.refusals:
            check_condition("permits", p.id, f"{label} 的不予许可情形 {refusal.id}", refusal.when)
        refusal_ids = [r.id for r in p.refusals]
        if len(refusal_ids) != len(set(refusal_ids)):
            problems.append(Problem("duplicate_id", f"{label} 的不予许可情形 id 重复", pack.origin("permits", p.id), p.id))
        element_ids = [e.id for e in p.elements]
        if len(element_ids) != len(set(element_ids)):
            problems.append(Problem("duplicate_id", f"{label} 的要素 id 重复", pack.origin("permits", p.id), p.id))
        for e in p.elements:
            elabel = f"{label} 的要素 {e.id}"
            check_condition("permits", p.id, elabel, e.when)
            for fid in e.fields:
                if fid not in pack.fields:
                    missing("permits", p.id, elabel, "表单字段", fid)
            check_material_refs(p.id, elabel, e.materials)

    for permit in pack.permits.values():
        problems.extend(_version_problems(pack, permit))
        readings = [(permit, f"许可事项 {permit.id}")]
        readings += [(permit.read_on(_first_day(v)), f"许可事项 {permit.id} 的版本 {vid}") for vid, v in permit.versions.items()]
        for p, label in readings:
            check_permit(p, label)
    for entry in pack.lifecycle.values():
        problems.extend(_lifecycle_references(pack, entry))
    return problems


def _first_day(period: Effective) -> date:
    return period.valid_from or period.valid_to or date.min


def _version_problems(pack: Pack, permit: Permit) -> list[Problem]:
    """Dated versions of a permit must not overlap each other or the period of its own fields."""
    problems = []
    periods: list[tuple[str, str, Effective]] = [(f"版本 {vid}", f"{permit.id}@{vid}", v) for vid, v in permit.versions.items()]
    if permit.valid_from or permit.valid_to:
        periods.append(("本身", permit.id, permit))
    for i, (name, key, period) in enumerate(periods):
        for other, _, later in periods[i + 1 :]:
            start = max(period.valid_from or date.min, later.valid_from or date.min)
            end = min(period.valid_to or date.max, later.valid_to or date.max)
            if start <= end:
                message = f"许可事项 {permit.id} 的{name}与{other}的施行期间重叠（{start} 起）"
                problems.append(Problem("version_overlap", message, pack.origin("permits", key), permit.id))
    for former in (f for f in permit.formerly if f in pack.permits):
        message = f"许可事项 {permit.id} 的原 id '{former}' 仍是另一事项的 id"
        problems.append(Problem("formerly_in_use", message, pack.origin("permits", permit.id), former))
    return problems


def _lifecycle_references(pack: Pack, entry: Lifecycle) -> list[Problem]:
    """A lifecycle entry names only fields, materials and permits the pack has."""
    where = pack.origin("lifecycle", entry.id)
    label = f"生命周期事项 {entry.id.value}"
    wanted: list[tuple[str, str, Collection[str]]] = [("表单字段", f, pack.fields) for f in entry.fields]
    wanted += [("材料", ref.material, pack.materials) for ref in entry.materials]
    for permit, ask in entry.permits.items():
        wanted.append(("许可事项", permit, pack.permits))
        wanted += [("表单字段", f, pack.fields) for f in ask.fields]
        wanted += [("材料", ref.material, pack.materials) for ref in ask.materials]
    return [
        Problem("dangling_reference", f"{label} 引用了不存在的{what} '{ref}'", where, ref)
        for what, ref, known in wanted
        if ref not in known
    ]


def _literal_issue(question: Question | None, op: str, value: Any) -> str | None:
    if question is None:
        return "没有这个问题"
    multi = question.type is QuestionType.multi_choice
    if (op in SET_OPS) != multi:
        if multi:
            return f"问题 {question.id} 是多选题，只能用 contains 或 any_of 判断所选的集合"
        return f"contains 和 any_of 只适用于多选题（multi_choice），问题 {question.id} 是 {question.type.value}"
    if multi:
        values = value if op in ("any_of", "none_of") else (value,)
        wrong = [v for v in values if v not in {o.value for o in question.options}]
        return f"'{wrong[0]}' 不是它的选项" if wrong else None
    values = value if op in ("in", "nin") else (value,)
    if op in ("gt", "gte", "lt", "lte"):
        return None if question.type is QuestionType.number else f"大小比较只适用于数值问题，它是 {question.type.value}"
    for v in values:
        if question.type is QuestionType.boolean and not isinstance(v, bool):
            return f"是非题只能与 true/false 比较，不能与 {v!r}"
        if question.type is QuestionType.number and (isinstance(v, bool) or not isinstance(v, int | float)):
            return f"数值题不能与 {v!r} 比较"
        if question.type is QuestionType.choice and v not in {o.value for o in question.options}:
            return f"'{v}' 不是它的选项"
    return None


def dependency_cycles(pack: Pack) -> list[Problem]:
    """Permits that (indirectly) depend on themselves can never be decided."""
    problems: list[Problem] = []
    state: dict[str, int] = {}

    def visit(pid: str, path: list[str]) -> None:
        state[pid] = 1
        for dep in pack.permits[pid].depends_on:
            if dep.permit not in pack.permits:
                continue
            if state.get(dep.permit) == 1:
                cycle = path[path.index(dep.permit) :] + [dep.permit] if dep.permit in path else [pid, dep.permit]
                problems.append(
                    Problem("dependency_cycle", f"许可事项前置关系成环：{' → '.join(cycle)}", pack.origin("permits", pid), pid)
                )
            elif dep.permit not in state:
                visit(dep.permit, [*path, dep.permit])
        state[pid] = 2

    for pid in pack.permits:
        if pid not in state:
            visit(pid, [pid])
    return problems


def models_of(pack: Pack) -> Iterator[tuple[str, RuleModel]]:
    """Every entity of a pack with its kind, in pack order."""
    for kind in ENTITY_KINDS:
        items = pack.scenarios if kind == "scenarios" else getattr(pack, kind).values()
        for item in items:
            yield kind, item


__all__ = [
    "DEFAULT_PACK",
    "PACKS_DIR",
    "Origin",
    "Pack",
    "available",
    "collector_paused",
    "entity_id",
    "load",
    "load_last_good",
    "models_of",
    "resolve",
]
