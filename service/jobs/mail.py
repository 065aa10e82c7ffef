"""E-mail through the district's SMTP relay (``YIYE_SMTP_*``), Chinese first."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlsplit

from service.settings import Settings


def send(settings: Settings, *, to: str, subject: str, body: str, message_id: str) -> None:
    """Send one message; raises on any refusal. ``message_id`` stays the same on a retry, so a resend can be spotted."""
    if not settings.smtp_host:
        raise RuntimeError("YIYE_SMTP_HOST is not set")
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = f"<{message_id}@{urlsplit(settings.site_url).hostname or 'yiye'}>"
    message.set_content(
        f"{body}\n\n查看全部通知：{settings.site_url.rstrip('/')}/notifications\n\n（本邮件由系统自动发送，请勿回复。）\n"
    )
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)
