"""E-mail goes through the job queue: a page never waits for a slow mail server.

`QueuedEmailBackend` is the default mailer (settings.MAILERS). It turns each message into plain
data and enqueues `deliver_email`; with the database queue the job row is written in the caller's
transaction, so a rolled-back change sends no mail. The worker delivers with the "delivery" mailer
(console in development, SMTP in production, memory in tests).
"""

from __future__ import annotations

import base64

from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.tasks import task


def message_to_data(message: EmailMultiAlternatives) -> dict:
    attachments = []
    for att in message.attachments:
        filename, content, mimetype = att
        if isinstance(content, str):
            content = content.encode()
        attachments.append([filename, base64.b64encode(content).decode(), mimetype])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {k: str(v) for k, v in (message.extra_headers or {}).items()},
        "alternatives": [[str(c), m] for c, m in getattr(message, "alternatives", [])],
        "attachments": attachments,
        "content_subtype": message.content_subtype,
    }


def data_to_message(data: dict, connection=None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
        connection=connection,
    )
    message.content_subtype = data.get("content_subtype", "plain")
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


@task
def deliver_email(data: dict) -> int:
    """Send one queued message with the real mail backend."""
    connection = mailers["delivery"]
    return connection.send_messages([data_to_message(data, connection)])


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            deliver_email.enqueue(message_to_data(message))
        return len(email_messages)
