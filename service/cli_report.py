"""How the checking commands end: each problem on stderr, a summary line, and exit status 1."""

from __future__ import annotations

import typer


def fail_on(problems: list[str], summary: str) -> None:
    """Print each problem and, if there was any, the summary on stderr and exit with status 1."""
    for line in problems:
        typer.echo(line, err=True)
    if problems:
        typer.echo(summary, err=True)
        raise typer.Exit(1)
