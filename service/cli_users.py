"""``yiye users create``: staff and applicant accounts, each with a role and, for department staff, a department."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from rules import packs
from rules.errors import PackError
from rules.model import Department

users_app = typer.Typer(help="账户：创建工作人员和申请人账户。", no_args_is_help=True)

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL; 默认读 YIYE_DATABASE_URL 或 ./var/yiye.db")
]


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


def _fail(where: str, message: str) -> typer.Exit:
    typer.echo(f"错误 [{where}] {message}", err=True)
    return typer.Exit(2)


@users_app.command("create")
def create(
    role: Annotated[str, typer.Option("--role", help="角色: applicant, clerk, reviewer, inspector, supervisor, …")],
    password: Annotated[str, typer.Option("--password", prompt=True, hide_input=True, help="至少 8 个字符")],
    email: Annotated[str | None, typer.Option("--email", help="电子邮箱")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="手机号")] = None,
    name: Annotated[str, typer.Option("--name", help="姓名")] = "",
    department: Annotated[str | None, typer.Option("--department", help="部门 id（审批、踏勘人员和部门系统必填）")] = None,
    pack: Annotated[str, typer.Option("--pack", help="从哪个规则包读取部门")] = packs.DEFAULT_PACK,
    packs_dir: Annotated[
        Path, typer.Option("--packs-dir", help="规则包所在目录", exists=True, file_okay=False)
    ] = packs.PACKS_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """创建账户; 角色或部门不对时说明原因, 什么也不写入。"""
    from sqlmodel import Session

    from service import crud
    from service.cli_serve import _settings
    from service.db import make_engine
    from service.models import User, UserCreate
    from service.security import hash_password
    from service.workflow.accounts import role_problems
    from service.workflow.roles import DEPARTMENT_ROLES, ROLE_NAMES, Role

    departments: dict[str, Department] = {}
    if role in Role.__members__ and Role(role) in DEPARTMENT_ROLES and department:
        try:
            departments = packs.load(pack, packs_dir).departments
        except PackError as exc:
            raise _fail("--pack", f"规则包“{pack}”无法读取：{exc}") from exc
    problems = role_problems(role, department, departments)
    if problems:
        raise _fail(f"--{problems[0].where}", problems[0].message)
    chosen = Role(role)
    try:
        user_create = UserCreate(email=email, phone=phone, display_name=name, password=password)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise _fail(f"--{first['loc'][0]}" if first["loc"] else "input", first["msg"]) from exc
    if not email and not phone:
        raise _fail("--email", "请提供 --email 或 --phone")
    engine = make_engine(_settings(database_url).database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            for login in filter(None, (email, phone)):
                if crud.get_user_by_login(session=session, login=login) is not None:
                    raise _fail("--email" if "@" in login else "--phone", f"账户“{login}”已存在")
            user = User.model_validate(
                user_create,
                update={
                    "email": email.lower() if email else None,
                    "password_hash": hash_password(password),
                    "role": chosen,
                    "department": department,
                },
            )
            session.add(user)
            session.commit()
            typer.echo(f"已创建{ROLE_NAMES[chosen]}账户 {email or phone}" + (f"（部门 {department}）" if department else ""))
    finally:
        engine.dispose()


@users_app.command("key")
def key(
    login: Annotated[str, typer.Argument(help="部门系统对接账户的邮箱或手机号")],
    database_url: DatabaseUrl = None,
) -> None:
    """为部门系统对接账户签发一个 API 密钥(X-API-Key); 密钥只显示这一次, 库中只存其哈希。"""
    import hashlib
    import secrets

    from sqlmodel import Session

    from service import crud
    from service.cli_serve import _settings
    from service.db import make_engine
    from service.workflow.models import IntegratorKey
    from service.workflow.roles import ROLE_NAMES, Role

    engine = make_engine(_settings(database_url).database_url)
    try:
        with Session(engine) as session:
            user = crud.get_user_by_login(session=session, login=login)
            if user is None:
                raise _fail("login", f"没有账户“{login}”")
            if user.role != Role.integrator:
                raise _fail("login", f"“{login}”是{ROLE_NAMES.get(user.role, user.role)}，只有部门系统对接账户可以使用 API 密钥")
            secret = "yiye_" + secrets.token_urlsafe(32)
            session.add(IntegratorKey(key_sha256=hashlib.sha256(secret.encode()).hexdigest(), user_id=user.id))
            session.commit()
            typer.echo(secret)
    finally:
        engine.dispose()
