"""Writing news: every change to posts and their images goes through here, checked and audited.

Images are checked and re-encoded before anything is saved; files written during a transaction
that then fails are deleted again, so nothing is half-saved. Files of removed images and deleted
posts are deleted only after the transaction commits.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from news.content import render_markdown
from news.images import ImageError, NewsError, process_image
from news.models import Post, PostImage
from residents.audit import CHANGED, record
from residents.models import Role
from residents.permissions import can

__all__ = [
    "ImageError",
    "NewsError",
    "NotAllowed",
    "create_post",
    "delete_post",
    "may_edit",
    "update_post",
]

log = logging.getLogger(__name__)

FIELDS = (
    "title",
    "summary",
    "body",
    "status",
    "publish_at",
    "pinned",
    "audience",
    "comments_enabled",
    "photo_consent",
)
FILE_FIELDS = ("detail", "listing", "printed")


class NotAllowed(NewsError, PermissionDenied):
    """The person may not edit news of this house (a NewsError, and a 403 if nobody catches it)."""


def may_edit(user, house) -> bool:
    """Editors and staff of the house; a post for all houses needs staff of some house."""
    if not getattr(user, "is_authenticated", False):
        return False
    if house is None:
        return user.is_superuser or user.has_any_role(Role.STAFF)
    return can(user, "news.edit", house)


def _require_edit(user, house) -> None:
    if not may_edit(user, house):
        if house is None:
            raise NotAllowed(_("Only staff may write news for all houses."))
        raise NotAllowed(_("You may not edit the news of this house."))


def _apply(post: Post, data: dict[str, Any]) -> dict[str, list]:
    """Copy known keys of `data` onto `post`; return {field: [old, new]} for what changed."""
    changes: dict[str, list] = {}
    for name in FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in ("title", "summary", "body"):
            value = (value or "").strip()
        elif name in ("pinned", "comments_enabled", "photo_consent"):
            value = bool(value)
        elif name == "publish_at" and value is None:
            value = timezone.now()
        old = getattr(post, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
        setattr(post, name, value)
    post.body_html = render_markdown(post.body)
    return changes


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str) and len(value) > 80:
        return value[:77] + "..."
    return value


def _validate(post: Post) -> None:
    if not post.title:
        raise NewsError(_("Give the post a title."), field="title")
    if post.status not in Post.Status.values:
        raise NewsError(_("Choose draft or published."), field="status")
    if post.audience not in Post.Audience.values:
        raise NewsError(_("Choose who may read the post."), field="audience")
    try:
        post.full_clean(exclude=["author", "house"], validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise NewsError(messages[0], field=None if field == "__all__" else field) from None


def _check_images(images, consent: bool) -> list[tuple[dict, str]]:
    """Check alt texts and consent, then process every image; nothing is written yet."""
    images = list(images or [])
    if not images:
        return []
    if not consent:
        raise NewsError(
            _("Tick that the people recognisable in the photos agreed, or leave the photos out."),
            field="photo_consent",
        )
    for _upload, alt in images:
        alt = (alt or "").strip()
        if not alt:
            raise NewsError(_("Describe each photo for people who cannot see it."), field="images")
        if len(alt) > PostImage._meta.get_field("alt").max_length:
            raise NewsError(_("Keep the description of a photo under 200 characters."), field="images")
    return [(process_image(upload), (alt or "").strip()) for upload, alt in images]


def _file_names(image: PostImage) -> list[tuple[Any, str]]:
    return [
        (getattr(image, f).storage, getattr(image, f).name) for f in FILE_FIELDS if getattr(image, f).name
    ]


def _delete_files(files: list[tuple[Any, str]]) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            log.warning("news: could not delete file %s", name)


def _save_images(post: Post, processed: list[tuple[dict, str]], written: list, start: int) -> int:
    """Write the renditions and rows; every file written is appended to `written` at once."""
    for offset, (renditions, alt) in enumerate(processed):
        image = PostImage(post=post, alt=alt, position=start + offset)
        for field in FILE_FIELDS:
            file = getattr(image, field)
            file.save(renditions[field].name, renditions[field], save=False)
            written.append((file.storage, file.name))
        image.width, image.height = image.detail.width, image.detail.height
        image.save()
    return len(processed)


def create_post(*, by, house, data: dict, images: list | None = None) -> Post:
    """A new post for `house` (None: all houses) with images [(upload, alt), ...]."""
    _require_edit(by, house)
    post = Post(house=house, author=by)
    _apply(post, data)
    _validate(post)
    processed = _check_images(images, post.photo_consent)
    written: list = []
    try:
        with transaction.atomic():
            post.save()
            count = _save_images(post, processed, written, start=0)
            record(
                "news.created",
                actor=by,
                target=post,
                house=house,
                changes={"status": post.status, "audience": post.audience, "images": count},
            )
    except BaseException:
        _delete_files(written)
        post.pk = None
        raise
    return post


def update_post(
    *,
    post: Post,
    by,
    data: dict,
    new_images: list | None = None,
    remove_image_ids: list | None = None,
) -> Post:
    """Change a post; add images [(upload, alt), ...] and remove images by id (of this post only)."""
    _require_edit(by, post.house)
    original = {name: getattr(post, name) for name in (*FIELDS, "body_html")}
    changes = _apply(post, data)
    remove_ids = {int(pk) for pk in (remove_image_ids or [])}
    try:
        _validate(post)
        remaining = post.images.exclude(pk__in=remove_ids).count() if post.pk else 0
        if (new_images or remaining) and not post.photo_consent:
            raise NewsError(
                _("Tick that the people recognisable in the photos agreed, or leave the photos out."),
                field="photo_consent",
            )
        processed = _check_images(new_images, post.photo_consent)
    except NewsError:
        for name, value in original.items():
            setattr(post, name, value)
        raise
    written: list = []
    try:
        with transaction.atomic():
            locked = Post.objects.select_for_update().get(pk=post.pk)
            if locked.house_id != post.house_id:
                raise NewsError(_("This post was moved to another house; reload the page."))
            post.save()
            removed = list(post.images.filter(pk__in=remove_ids))
            old_files = [f for image in removed for f in _file_names(image)]
            for image in removed:
                image.delete()
            last = post.images.order_by("-position").values_list("position", flat=True).first()
            added = _save_images(post, processed, written, start=(last + 1) if last is not None else 0)
            for name in ("summary", "body"):  # long texts: only that they changed
                if name in changes:
                    changes[name] = CHANGED
            if removed:
                changes["images_removed"] = len(removed)
            if added:
                changes["images_added"] = added
            record("news.updated", actor=by, target=post, house=post.house, changes=changes)
            transaction.on_commit(lambda: _delete_files(old_files))
    except BaseException:
        _delete_files(written)
        for name, value in original.items():
            setattr(post, name, value)
        raise
    return post


def delete_post(*, post: Post, by) -> None:
    """Delete a post with its images; the files go once the deletion is committed."""
    _require_edit(by, post.house)
    with transaction.atomic():
        files = [f for image in post.images.all() for f in _file_names(image)]
        record(
            "news.deleted",
            actor=by,
            target=post,
            house=post.house,
            changes={"title": post.title, "images": len(files) // len(FILE_FIELDS)},
        )
        post.delete()
        transaction.on_commit(lambda: _delete_files(files))
