"""Sending the few emails remit sends (invitations, password resets) through SMTP.

Without ``REMIT_SMTP_HOST`` the message is written to the log instead, so that an
operator without a mail server can still hand the link over.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

log = logging.getLogger("remit.mail")


def send_mail(config: Mapping[str, Any], to: str, subject: str, body: str) -> None:
    """Send one plain-text message, or log it when no SMTP server is configured."""
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if not config["SMTP_HOST"]:
        log.warning("no REMIT_SMTP_HOST: this email was not sent; its text follows.\nTo: %s\n"
                    "Subject: %s\n\n%s", to, subject, body)
        return
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=20) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        smtp.send_message(message)
