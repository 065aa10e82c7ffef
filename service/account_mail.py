"""The mail an account gets: a reset link, a sign-up link, a new colleague's first-password link, a warning that
someone tried its address.

Each is sent after the page has answered (a background task), so the answer's timing does not tell whether
an address has an account; a failure is logged, and the visitor can ask again. Chinese first, English below.
"""

from __future__ import annotations

import logging
import uuid
from typing import Literal, NamedTuple

from service.jobs import mail
from service.reset_links import FIRST_PASSWORD_HOURS, RESET_MINUTES
from service.settings import Settings
from service.sign_up_links import SIGN_UP_HOURS

log = logging.getLogger("yiye.accounts")

LinkKind = Literal["reset", "sign_up", "first_password"]


def send_quietly(settings: Settings, *, to: str, subject: str, text: str) -> None:
    """Send one account mail; a refusal is logged, as the visitor has already been told to check the mail."""
    try:
        mail.send_text(settings, to=to, subject=subject, text=text, message_id=f"account-{uuid.uuid4()}")
    except (OSError, RuntimeError) as exc:
        log.error("account mail not sent", extra={"error": str(exc)})


def _site(settings: Settings) -> str:
    return settings.site_url.rstrip("/")


def _mail(subject: str, *paragraphs: str) -> dict[str, str]:
    return {"subject": subject, "text": "\n\n".join(paragraphs)}


class _Link(NamedTuple):
    """What tells one one-time-link mail from the other: its subject, page, limit and what ignoring it means."""

    subject: str
    path: str
    asked: str
    ignored: str
    english: str


_LINKS: dict[LinkKind, _Link] = {
    "reset": _Link(
        "重设密码 / Reset your password",
        "/password/reset",
        f"有人（希望是您本人）申请重设一业一证账户的密码。请在 {RESET_MINUTES} 分钟内打开以下链接设置新密码，链接只能使用一次：",
        "如果不是您本人申请，请忽略本邮件，您的密码不会改变。",
        f"Someone (we hope you) asked to reset the password of your yiye account. Open the link above within {RESET_MINUTES} "
        "minutes to choose a new one; it works once. If it was not you, ignore this mail.",
    ),
    "sign_up": _Link(
        "完成注册 / Finish signing up",
        "/sign-up/confirm",
        f"有人（希望是您本人）用这个电子邮箱注册了一业一证账户。请在 {SIGN_UP_HOURS} 小时内打开以下链接完成注册：",
        "如果不是您本人注册，请忽略本邮件，不会创建账户。",
        f"Someone (we hope you) signed up for yiye with this address. Open the link above within {SIGN_UP_HOURS} hours "
        "to finish; if it was not you, ignore this mail and no account is made.",
    ),
    "first_password": _Link(
        "设置一业一证账户密码 / Choose the password of your yiye account",
        "/password/reset",
        f"系统管理员为您开设了一业一证工作人员账户，或请您重新设置密码。请在 {FIRST_PASSWORD_HOURS} 小时内打开以下链接设置密码，"
        "链接只能使用一次：",
        "链接过期后，可以在登录页点击“忘记密码”重新获取，或请系统管理员再次发送。",
        "An administrator opened a yiye staff account for you, or asks you to choose a new password. Open the link above "
        f"within {FIRST_PASSWORD_HOURS} hours; it works once. Once it has expired, use “Forgot password” on the sign-in "
        "page, or ask the administrator to send another.",
    ),
}


def link(settings: Settings, kind: LinkKind, token: str) -> dict[str, str]:
    """The mail with a one-time link: a password reset, the link that completes a sign-up, or a new colleague's."""
    spec = _LINKS[kind]
    url = f"{_site(settings)}{spec.path}?token={token}"
    return _mail(spec.subject, "您好：", spec.asked, url, spec.ignored, spec.english)


def already_registered(settings: Settings) -> dict[str, str]:
    """The mail to an account's owner when someone signs up with its address."""
    return _mail(
        "有人尝试用您的邮箱注册 / Someone tried to sign up with your address",
        "您好：",
        "有人用您的电子邮箱申请注册一业一证账户，但这个邮箱已经注册过，因此没有做任何更改。",
        f"如果是您本人，请直接登录：{_site(settings)}/sign-in\n忘记了密码，可以在这里重设：{_site(settings)}/password/forgot",
        "如果不是您本人，请忽略本邮件，您的账户不受影响。",
        "Someone tried to sign up for yiye with your address, which already has an account, so nothing changed. "
        "If it was you, sign in, or reset your password at the links above. If not, ignore this mail.",
    )
