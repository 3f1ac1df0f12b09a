"""E-mail to one person, in their own language: the one way every app writes to people."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def mail_person(person, template: str, context: dict, attachments=()) -> bool:
    """Render `<template>_subject.txt` and `<template>.txt` in the person's language and send them.

    People without an e-mail address get nothing (False). `attachments` holds
    (filename, content, mimetype) triples. The context gets `person`, `user` and `site_url`.
    """
    if not person.email:
        return False
    return mail_address(
        person.email, person.language, template, {**context, "person": person, "user": person}, attachments
    )


def mail_address(address: str, language: str, template: str, context: dict, attachments=()) -> bool:
    """The same for an address without an account (someone who raised a worry as a visitor)."""
    if not address:
        return False
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL}
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    message = EmailMultiAlternatives(subject, body, None, [address])
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()
    return True
