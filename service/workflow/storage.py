"""Uploaded files: the type read from the content, a size limit, stored by sha256 behind a small interface.

``FileStore`` is what the workflow needs of a store; ``LocalFileStore`` keeps files in a folder, and an
S3-compatible store can take its place. A file's name is shown to people and never used as a path.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import filetype

from rules.errors import Problem

ACCEPTED_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
MAX_BYTES = 20 * 1024 * 1024
MAX_NAME = 255


@dataclass(frozen=True)
class Upload:
    """One file the applicant sends for one material."""

    material: str
    filename: str
    data: bytes


@dataclass(frozen=True)
class Checked:
    upload: Upload
    media_type: str
    sha256: str


class FileStore(Protocol):
    def put(self, sha256: str, data: bytes) -> None: ...
    def get(self, sha256: str) -> bytes: ...
    def exists(self, sha256: str) -> bool: ...


class LocalFileStore:
    """Files under ``root/ab/cd/<sha256>``; a write lands whole or not at all."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, sha256: str, data: bytes) -> None:
        path = self._path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, path)

    def get(self, sha256: str) -> bytes:
        return self._path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()


def check(upload: Upload, where: str, max_bytes: int = MAX_BYTES) -> tuple[Checked | None, list[Problem]]:
    """The upload with its type and hash, or the problems that refuse it (named for ``where``)."""
    shown = _shown(upload.filename)
    problems = [
        Problem("bad_filename", message, where, upload.filename[:MAX_NAME]) for message in _name_problems(upload.filename)
    ]
    if len(upload.data) > max_bytes:
        problems.append(Problem("file_too_large", f"文件“{shown}”超过 {_size(max_bytes)}，请压缩后再上传", where))
        return None, problems
    if not upload.data:
        problems.append(Problem("empty_file", f"文件“{shown}”是空文件", where))
        return None, problems
    kind = filetype.guess(upload.data)
    if kind is None or kind.mime not in ACCEPTED_TYPES:
        message = f"文件“{shown}”的内容不是 PDF、JPEG 或 PNG 文件（以文件内容判断，不看扩展名）"
        problems.append(Problem("file_type", message, where, kind.mime if kind else ""))
    if problems or kind is None:
        return None, problems
    return Checked(upload, kind.mime, hashlib.sha256(upload.data).hexdigest()), []


def check_all(
    uploads: Sequence[Upload], wanted: Collection[str], unwanted: tuple[str, str], max_bytes: int
) -> tuple[list[Checked], list[Problem]]:
    """Each upload checked and named by its place; one of a material not ``wanted`` gets the ``unwanted`` code and message."""
    checked: list[Checked] = []
    problems: list[Problem] = []
    for index, upload in enumerate(uploads):
        where = f"materials.{upload.material}[{index}]"
        if upload.material not in wanted:
            problems.append(Problem(*unwanted, where, upload.material))
            continue
        item, found = check(upload, where, max_bytes)
        problems += found
        if item is not None:
            checked.append(item)
    return checked, problems


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:g} KB"


def _name_problems(name: str) -> list[str]:
    if not name.strip():
        return ["请为文件提供文件名"]
    if len(name) > MAX_NAME:
        return [f"文件名不能超过 {MAX_NAME} 个字符"]
    if "/" in name or "\\" in name or name in (".", "..") or ":" in name:
        return [f"文件名“{_shown(name)}”不能包含路径符号 /、\\ 或冒号，请只写文件名"]
    if any(unicodedata.category(c) == "Cc" for c in name):
        return ["文件名不能包含控制字符"]
    return []


def _shown(name: str) -> str:
    return "".join(c for c in name if unicodedata.category(c) != "Cc")[:60]
