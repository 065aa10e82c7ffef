"""E-mail through the district's SMTP relay (``YIYE_SMTP_*``), Chinese first, then English."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlsplit

from service.settings import Settings


def send(settings: Settings, *, to: str, subject: str, body: str, message_id: str) -> None:
    """Send one notification, with the link to all of them; raises on any refusal. ``message_id`` stays the same on a retry."""
    footer = f"查看全部通知 / All your notifications: {settings.site_url.rstrip('/')}/notifications"
    send_text(settings, to=to, subject=subject, text=f"{body}\n\n{footer}", message_id=message_id)


def send_text(settings: Settings, *, to: str, subject: str, text: str, message_id: str) -> None:
    """Send one message of ``text`` and the no-reply line; raises on any refusal."""
    if not settings.smtp_host:
        raise RuntimeError("YIYE_SMTP_HOST is not set")
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = f"<{message_id}@{urlsplit(settings.site_url).hostname or 'yiye'}>"
    message.set_content(f"{text}\n\n（本邮件由系统自动发送，请勿回复。This mail was sent automatically: please do not reply.）\n")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)
