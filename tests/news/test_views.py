"""News through the pages: the list, a post's page, the feed, the form, the house's home page."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from news.models import Post
from tests.forms import parse_form

pytestmark = pytest.mark.usefixtures("mfa_off")

ATOM = "{http://www.w3.org/2005/Atom}"


def make_post(house, title, **extra) -> Post:
    values = {
        "house": house,
        "title": title,
        "summary": f"Over {title}",
        "body_html": f"<p>{title}</p>",
        "status": Post.Status.PUBLISHED,
        "publish_at": timezone.now() - dt.timedelta(hours=1),
    }
    values.update(extra)
    return Post.objects.create(**values)


@pytest.fixture
def posts(house, other_house):
    future = timezone.now() + dt.timedelta(days=2)
    return {
        "public": make_post(house, "Koffie op vrijdag"),
        "everywhere": make_post(None, "Nieuws voor alle huizen"),
        "draft": make_post(house, "Nog een concept", status=Post.Status.DRAFT),
        "scheduled": make_post(house, "Straks te zien", publish_at=future),
        "members": make_post(house, "Alleen voor leden", audience=Post.Audience.MEMBERS),
        "elsewhere": make_post(other_house, "Bij de buren"),
    }


def list_url(house):
    return reverse("news:list", kwargs={"house": house.slug})


def detail_url(post, house):
    return reverse("news:post", kwargs={"house": house.slug, "pk": post.pk})


def test_list_shows_published_public_posts_only_to_visitors(client, house, posts):
    response = client.get(list_url(house))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Koffie op vrijdag" in text
    assert "Nieuws voor alle huizen" in text
    for hidden in ("Nog een concept", "Straks te zien", "Alleen voor leden", "Bij de buren"):
        assert hidden not in text


def test_members_see_members_only_posts(client_for, house, resident, posts):
    response = client_for(resident).get(list_url(house))
    assert "Alleen voor leden" in response.content.decode()
    assert "Nog een concept" not in response.content.decode()


@pytest.mark.parametrize("name", ["draft", "scheduled", "members", "elsewhere"])
def test_detail_is_404_for_visitors(client, house, posts, name):
    assert client.get(detail_url(posts[name], house)).status_code == 404


def test_detail_of_a_public_post(client, house, posts):
    response = client.get(detail_url(posts["public"], house))
    assert response.status_code == 200
    assert "<p>Koffie op vrijdag</p>" in response.content.decode()


def test_editor_sees_a_draft_with_a_note(client_for, house, staff, posts):
    response = client_for(staff).get(detail_url(posts["draft"], house))
    assert response.status_code == 200
    assert response.context["note"]
    response = client_for(staff).get(detail_url(posts["scheduled"], house))
    assert response.status_code == 200
    assert response.context["note"]


def test_feed_is_atom_with_public_posts_only(client, house, posts):
    response = client.get(reverse("news:feed", kwargs={"house": house.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert "Koffie op vrijdag" in titles
    assert "Nieuws voor alle huizen" in titles
    for hidden in ("Alleen voor leden", "Nog een concept", "Straks te zien", "Bij de buren"):
        assert hidden not in titles


def test_feed_of_an_unknown_house_is_404(client, db):
    assert client.get(reverse("news:feed", kwargs={"house": "nergens"})).status_code == 404


def test_staff_write_a_post_through_the_form(client_for, house, staff):
    client = client_for(staff)
    url = reverse("news:post_add", kwargs={"house": house.slug})
    response = client.get(url)
    assert response.status_code == 200
    form = parse_form(response.content, form_id="post-form")
    assert 'type="datetime-local"' in response.content.decode()
    assert 'enctype="multipart/form-data"' in response.content.decode()
    data = form.submit_data(title="Bingo!", summary="Vrijdag bingo", body="**Kom** ook", status="published")
    response = client.post(form.action or url, data)
    post = Post.objects.get(title="Bingo!")
    assert response.status_code == 302
    assert response["Location"] == post.url_in(house)
    assert post.house == house and post.author == staff
    assert "<strong>Kom</strong>" in client.get(response["Location"]).content.decode()


def test_a_post_without_title_is_a_form_error(client_for, house, staff):
    client = client_for(staff)
    url = reverse("news:post_add", kwargs={"house": house.slug})
    form = parse_form(client.get(url).content, form_id="post-form")
    response = client.post(url, form.submit_data(title="", summary="Zonder titel"))
    assert response.status_code == 200
    assert response.context["form"].errors.get("title")
    assert not Post.objects.exists()


def test_a_picture_needs_a_description(client_for, house, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(staff)
    url = reverse("news:post_add", kwargs={"house": house.slug})
    form = parse_form(client.get(url).content, form_id="post-form")
    upload = SimpleUploadedFile("foto.png", b"not really", content_type="image/png")
    response = client.post(url, {**form.submit_data(title="Met foto"), "image_1": upload})
    assert response.status_code == 200
    assert response.context["form"].errors.get("alt_1")
    assert not Post.objects.exists()


def test_staff_edit_a_post_through_the_form(client_for, house, staff, posts):
    client = client_for(staff)
    url = reverse("news:post_edit", kwargs={"house": house.slug, "pk": posts["public"].pk})
    form = parse_form(client.get(url).content, form_id="post-form")
    response = client.post(url, form.submit_data(title="Koffie op zaterdag"))
    assert response.status_code == 302
    posts["public"].refresh_from_db()
    assert posts["public"].title == "Koffie op zaterdag"


def test_a_resident_may_not_write(client_for, house, resident, posts):
    client = client_for(resident)
    assert client.get(reverse("news:post_add", kwargs={"house": house.slug})).status_code == 403
    edit = reverse("news:post_edit", kwargs={"house": house.slug, "pk": posts["public"].pk})
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"title": "Gehackt"}).status_code == 403
    delete = reverse("news:post_delete", kwargs={"house": house.slug, "pk": posts["public"].pk})
    assert client.post(delete).status_code == 403
    assert Post.objects.filter(pk=posts["public"].pk, title="Koffie op vrijdag").exists()


def test_another_houses_post_cannot_be_edited(client_for, house, staff, posts):
    client = client_for(staff)
    other = posts["elsewhere"]
    for house_slug in (house.slug, other.house.slug):
        url = reverse("news:post_edit", kwargs={"house": house_slug, "pk": other.pk})
        assert client.get(url).status_code in (403, 404)
        assert client.post(url, {"title": "Overgenomen"}).status_code in (403, 404)
        delete = reverse("news:post_delete", kwargs={"house": house_slug, "pk": other.pk})
        assert client.post(delete).status_code in (403, 404)
    other.refresh_from_db()
    assert other.title == "Bij de buren"


def test_staff_delete_a_post(client_for, house, staff, posts):
    url = reverse("news:post_delete", kwargs={"house": house.slug, "pk": posts["public"].pk})
    assert client_for(staff).get(url).status_code == 405
    response = client_for(staff).post(url)
    assert response.status_code == 302
    assert not Post.objects.filter(pk=posts["public"].pk).exists()


def test_house_page_shows_the_latest_news_pinned_first(client, house, posts):
    make_post(house, "Vastgezet bericht", pinned=True, publish_at=timezone.now() - dt.timedelta(days=9))
    response = client.get(house.get_absolute_url())
    titles = [p.title for p in response.context["latest_news"]]
    assert titles[0] == "Vastgezet bericht"
    assert len(titles) == 3
    assert "Alleen voor leden" not in titles and "Nog een concept" not in titles
    assert "Vastgezet bericht" in response.content.decode()


def test_news_is_in_the_house_menu(client, house):
    response = client.get(house.get_absolute_url())
    assert list_url(house) in response.content.decode()


@pytest.mark.parametrize("count", [3, 60])
def test_list_queries_do_not_grow_with_posts(
    client_for, house, resident, count, django_assert_max_num_queries
):
    for n in range(count):
        make_post(house, f"Bericht {n}", pinned=n % 7 == 0)
    client = client_for(resident)
    client.get(list_url(house))  # warm the session
    # session, user, house, count, posts, images, the menu's roles: the same for 3 and 60 posts
    with django_assert_max_num_queries(7):
        response = client.get(list_url(house))
    assert len(response.context["posts"]) == min(count, 10)
    if count > 10:
        assert "?pagina=2" in response.content.decode()
        assert client.get(list_url(house) + "?pagina=6").status_code == 200


def test_house_page_news_is_one_query(client, house, posts, django_assert_max_num_queries):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from wijkhuis.views import _latest_news

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_max_num_queries(1):
        assert len(_latest_news(request, house)) == 2
