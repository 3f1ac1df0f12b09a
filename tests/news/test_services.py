"""Writing news: permissions, validation, images saved whole or not at all, files deleted, audited."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from news.models import Post, PostImage
from news.services import (
    ImageError,
    NewsError,
    NotAllowed,
    create_post,
    delete_post,
    update_post,
)
from residents.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files_in(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


def photo(name="foto.jpg", size=(800, 600)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 100, 50)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def not_a_photo():
    return SimpleUploadedFile("kapot.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")


def data(**extra):
    return {
        "title": "Koffie op dinsdag",
        "summary": "Elke dinsdag koffie",
        "body": "**Welkom** <script>alert(1)</script>",
        "status": Post.Status.PUBLISHED,
        "publish_at": None,
        "pinned": False,
        "audience": Post.Audience.PUBLIC,
        "comments_enabled": True,
        "photo_consent": True,
        **extra,
    }


def test_create_with_images(staff, house, media):
    post = create_post(
        by=staff, house=house, data=data(), images=[(photo(), "Koffiekopjes"), (photo(), "De tafel")]
    )
    post.refresh_from_db()
    assert post.author == staff and post.house == house
    assert "<strong>Welkom</strong>" in post.body_html and "<script" not in post.body_html
    images = list(post.images.all())
    assert [i.alt for i in images] == ["Koffiekopjes", "De tafel"]
    assert images[0].width == 800 and images[0].height == 600
    for image in images:
        for field in ("detail", "listing", "printed"):
            name = getattr(image, field).name
            assert name.startswith("news/") and name.endswith(f"-{field}.jpg")
            assert "foto" not in name
    assert len(files_in(media)) == 6
    event = AuditEvent.objects.get(action="news.created")
    assert event.actor == staff and event.house == house and event.target_id == str(post.pk)


def test_nothing_saved_when_one_image_is_bad(staff, house, media):
    with pytest.raises(ImageError):
        create_post(by=staff, house=house, data=data(), images=[(photo(), "Goed"), (not_a_photo(), "Slecht")])
    assert Post.objects.count() == 0 and PostImage.objects.count() == 0
    assert files_in(media) == []
    assert not AuditEvent.objects.filter(action__startswith="news.").exists()


def test_files_removed_when_the_transaction_fails(staff, house, media, monkeypatch):
    import news.services

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(news.services, "record", broken)
    with pytest.raises(RuntimeError):
        create_post(by=staff, house=house, data=data(), images=[(photo(), "Goed")])
    assert Post.objects.count() == 0
    assert files_in(media) == []


def test_title_required(staff, house):
    with pytest.raises(NewsError) as exc:
        create_post(by=staff, house=house, data=data(title="   "), images=[])
    assert exc.value.field == "title"
    assert Post.objects.count() == 0


def test_alt_text_required(staff, house, media):
    with pytest.raises(NewsError) as exc:
        create_post(by=staff, house=house, data=data(), images=[(photo(), "  ")])
    assert exc.value.field == "images"
    assert Post.objects.count() == 0 and files_in(media) == []


def test_photo_consent_required_for_images(staff, house, media):
    with pytest.raises(NewsError) as exc:
        create_post(by=staff, house=house, data=data(photo_consent=False), images=[(photo(), "Iemand")])
    assert exc.value.field == "photo_consent"
    assert Post.objects.count() == 0 and files_in(media) == []


def test_without_images_no_consent_needed(staff, house):
    post = create_post(by=staff, house=house, data=data(photo_consent=False), images=[])
    assert post.pk


def test_editor_may_write_for_own_house(make_user, house):
    editor = make_user("redactie@example.nl", "Ed Redactie", house, "editor")
    post = create_post(by=editor, house=house, data=data(), images=[])
    assert post.pk


@pytest.mark.parametrize("persona", ["resident", "student", "coordinator", "viewer", "outsider"])
def test_others_may_not_write(request, persona, house):
    user = request.getfixturevalue(persona)
    with pytest.raises(NotAllowed):
        create_post(by=user, house=house, data=data(), images=[])
    assert Post.objects.count() == 0


def test_all_houses_only_for_staff(make_user, staff, house, superuser):
    editor = make_user("redactie@example.nl", "Ed Redactie", house, "editor")
    with pytest.raises(NotAllowed):
        create_post(by=editor, house=None, data=data(), images=[])
    assert create_post(by=staff, house=None, data=data(), images=[]).house is None
    assert create_post(by=superuser, house=None, data=data(), images=[]).house is None


def test_not_allowed_is_also_permission_denied(resident, house):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        create_post(by=resident, house=house, data=data(), images=[])


def test_staff_of_another_house_may_not_edit_or_delete(make_user, staff, house, other_house):
    post = create_post(by=staff, house=house, data=data(), images=[])
    elsewhere = make_user("ander@example.nl", "Anne Ander", other_house, "staff")
    with pytest.raises(NotAllowed):
        update_post(post=post, by=elsewhere, data={"title": "Gekaapt"})
    with pytest.raises(NotAllowed):
        delete_post(post=post, by=elsewhere)
    post.refresh_from_db()
    assert post.title == "Koffie op dinsdag"


def test_update_changes_fields_images_and_audits(staff, house, media):
    post = create_post(by=staff, house=house, data=data(), images=[(photo(), "Eerste")])
    first = post.images.get()
    first_files = [getattr(first, f).path for f in ("detail", "listing", "printed")]
    update_post(
        post=post,
        by=staff,
        data={"title": "Nieuwe titel", "body": "[x](javascript:alert(1)) *ja*"},
        new_images=[(photo(), "Tweede")],
        remove_image_ids=[first.pk],
    )
    post.refresh_from_db()
    assert post.title == "Nieuwe titel"
    assert "javascript" not in post.body_html and "<em>ja</em>" in post.body_html
    assert [i.alt for i in post.images.all()] == ["Tweede"]
    assert not any(Path(p).exists() for p in first_files)
    assert len(files_in(media)) == 3
    event = AuditEvent.objects.get(action="news.updated")
    assert event.changes["title"] == ["Koffie op dinsdag", "Nieuwe titel"]
    # How many photos went, not their descriptions; the text only as changed.
    assert event.changes["images_removed"] == 1 and event.changes["body"] == "changed"


def test_update_with_bad_image_changes_nothing(staff, house, media):
    post = create_post(by=staff, house=house, data=data(), images=[(photo(), "Eerste")])
    with pytest.raises(ImageError):
        update_post(post=post, by=staff, data={"title": "Anders"}, new_images=[(not_a_photo(), "x")])
    assert post.title == "Koffie op dinsdag"
    post.refresh_from_db()
    assert post.title == "Koffie op dinsdag" and post.images.count() == 1
    assert len(files_in(media)) == 3


def test_update_cannot_remove_images_of_another_post(staff, house, media):
    one = create_post(by=staff, house=house, data=data(), images=[(photo(), "Van één")])
    two = create_post(by=staff, house=house, data=data(), images=[])
    update_post(post=two, by=staff, data={}, remove_image_ids=[one.images.get().pk])
    assert one.images.count() == 1 and len(files_in(media)) == 3


def test_delete_removes_files_and_audits(staff, house, media):
    post = create_post(by=staff, house=house, data=data(), images=[(photo(), "Weg")])
    pk = post.pk
    assert len(files_in(media)) == 3
    delete_post(post=post, by=staff)
    assert not Post.objects.filter(pk=pk).exists() and PostImage.objects.count() == 0
    assert files_in(media) == []
    event = AuditEvent.objects.get(action="news.deleted")
    assert event.target_id == str(pk) and event.actor == staff
