"""The demo's news: posts with pictures as files, an editor, reactions (one hidden), a screen per house."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from news.models import Comment, Post, PostImage, Screen
from residents.models import Membership, Role
from wijkhuis.demo import seed

pytestmark = pytest.mark.django_db


def test_demo_news_is_realistic_and_seeding_twice_adds_nothing():
    first = seed()
    assert first["news posts"] == 7
    assert first["reactions"] == 4
    assert Screen.objects.count() == 2
    published = Post.objects.published()
    assert published.filter(pinned=True).count() == 1
    # One scheduled for tomorrow and one draft: both exist but are not published yet.
    assert Post.objects.count() - published.count() == 2
    assert Post.objects.filter(house__isnull=True, title__startswith="Nieuw: spreekuur").count() == 1
    assert Membership.objects.filter(role=Role.EDITOR, user__email="student@example.nl").count() == 1
    hidden = Comment.objects.exclude(hidden_reason="")
    assert hidden.count() == 1 and hidden.get().hidden_at is not None
    images = list(PostImage.objects.all())
    assert len(images) == 3
    for image in images:
        for rendition in (image.detail, image.listing, image.printed):
            assert (Path(settings.MEDIA_ROOT) / rendition.name).is_file()
    assert all(image.post.photo_consent for image in images)

    posts = Post.objects.count()  # with the older news of the pilot's history
    assert seed() == {}
    assert Post.objects.count() == posts and PostImage.objects.count() == 3
