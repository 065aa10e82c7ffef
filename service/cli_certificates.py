"""``yiye certificates verify FILE.pdf``: the PDF's signature, its QR and the records, with a verdict in Chinese."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

certificates_app = typer.Typer(help="行业综合许可凭证：核验凭证 PDF。", no_args_is_help=True)

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL; 默认读 YIYE_DATABASE_URL 或 ./var/yiye.db")
]

Trust = Annotated[
    Path | None,
    typer.Option("--trust", help="受信任的 CA 证书（PEM）；默认为密钥目录下 pades/ca.pem", exists=True, dir_okay=False),
]


def register(app: typer.Typer) -> None:
    app.add_typer(certificates_app, name="certificates")


@certificates_app.command("verify")
def verify_pdf(
    pdf: Annotated[Path, typer.Argument(help="凭证 PDF 文件", exists=True, dir_okay=False, readable=True)],
    trust: Trust = None,
    database_url: DatabaseUrl = None,
) -> None:
    """核验凭证 PDF: 电子签名是否完好可信, 二维码是否真实, 记录中此版是否现行有效。不通过时退出码为 1。"""
    from certificates.seal import CA_FILE, load_certificate
    from service.certs.documents import check_pdf
    from service.cli_serve import _settings
    from service.compose import today
    from service.db import make_engine

    settings = _settings(database_url)
    root_file = trust or settings.keys_dir / "pades" / CA_FILE
    if not root_file.is_file():
        typer.echo(f"找不到受信任的 CA 证书 {root_file}；请用 --trust 指定", err=True)
        raise typer.Exit(2)
    engine = make_engine(settings.database_url)
    try:
        verdict = check_pdf(engine, pdf.read_bytes(), load_certificate(root_file), today())
    finally:
        engine.dispose()
    for line in verdict.lines:
        typer.echo(line)
    if verdict.ok:
        typer.echo("结论：凭证真实有效")
        return
    typer.echo("结论：凭证无效——" + "；".join(verdict.problems))
    raise typer.Exit(1)
