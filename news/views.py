"""Reading and writing news: the list and a post's page, the form, deleting, the public feed."""

from __future__ import annotations

from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from news import services
from news.forms import PostForm
from news.models import Post
from residents.decorators import house_view
from residents.models import House
from residents.permissions import can

PER_PAGE = 10
FEED_SIZE = 20


def can_edit(user, post: Post | None, house: House) -> bool:
    """Editors and staff of the post's house; a post for all houses: staff (news.services decides)."""
    if post is None:
        return can(user, "news.edit", house)
    return services.may_edit(user, post.house)


def _list_url(house: House) -> str:
    return reverse("news:list", kwargs={"house": house.slug})


@house_view
def post_list(request, house: House):
    posts = (
        Post.objects.published()
        .for_house(house)
        .visible_to(request.user)
        .select_related("house")
        .prefetch_related("images")
        .order_by("-pinned", "-publish_at", "-pk")
    )
    page = Paginator(posts, PER_PAGE).get_page(request.GET.get("pagina", request.GET.get("page")))
    for post in page.object_list:
        post.link = post.url_in(house)
    return render(
        request,
        "news/post_list.html",
        {
            "house": house,
            "page": page,
            "posts": page.object_list,
            "can_write": can_edit(request.user, None, house),
        },
    )


@house_view
def post_detail(request, house: House, pk: int, comment_form=None):
    """A post with its reactions; `comment_form` is a rejected reaction shown again with its errors."""
    from news.comment_views import comments_context  # it imports this module for the page

    post = (
        Post.objects.for_house(house).select_related("house").prefetch_related("images").filter(pk=pk).first()
    )
    if post is None:
        raise Http404
    shown = Post.objects.published().visible_to(request.user).filter(pk=post.pk).exists()
    editable = can_edit(request.user, post, house)
    if not shown and not editable:
        raise Http404
    note = ""
    if post.status == Post.Status.DRAFT:
        note = _("This is a draft. Only editors see it.")
    elif post.publish_at > timezone.now():
        note = _("This post is scheduled. Others see it from %(when)s.") % {
            "when": timezone.localtime(post.publish_at).strftime("%d-%m-%Y %H:%M")
        }
    return render(
        request,
        "news/post_detail.html",
        {
            "house": house,
            "post": post,
            "note": note,
            "can_edit": editable,
            **comments_context(request, house, post, comment_form),
        },
    )


def _add_error(form, err: services.NewsError) -> None:
    field = getattr(err, "field", None)
    if field == "images":
        field = "image_1"
    form.add_error(field if field in form.fields else None, str(err))


@login_required
@house_view
def post_add(request, house: House):
    if not can_edit(request.user, None, house):
        raise PermissionDenied
    form = PostForm(request.POST or None, request.FILES or None, instance=Post(house=house))
    if request.method == "POST" and form.is_valid():
        try:
            post = services.create_post(
                by=request.user, house=house, data=form.post_data(), images=form.new_images()
            )
        except services.NewsError as err:
            _add_error(form, err)
        else:
            messages.success(request, _("The post is saved."))
            return redirect(post.url_in(house))
    return render(request, "news/post_form.html", {"house": house, "form": form, "post": None})


def _post_to_edit(request, house: House, pk: int) -> Post:
    post = Post.objects.filter(Q(house=house) | Q(house__isnull=True), pk=pk).first()
    if post is None:
        raise Http404
    if not can_edit(request.user, post, house):
        raise PermissionDenied
    return post


@login_required
@house_view
def post_edit(request, house: House, pk: int):
    post = _post_to_edit(request, house, pk)
    images = list(post.images.all())
    form = PostForm(request.POST or None, request.FILES or None, instance=post, images=images)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_post(
                post=post,
                by=request.user,
                data=form.post_data(),
                new_images=form.new_images(),
                remove_image_ids=form.remove_image_ids(),
            )
        except services.NewsError as err:
            _add_error(form, err)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(post.url_in(house))
    return render(
        request, "news/post_form.html", {"house": house, "form": form, "post": post, "images": images}
    )


@require_POST
@login_required
@house_view
def post_delete(request, house: House, pk: int):
    post = _post_to_edit(request, house, pk)
    try:
        services.delete_post(post=post, by=request.user)
    except services.NewsError as err:
        messages.error(request, str(err))
        return redirect(post.url_in(house))
    messages.success(request, _("The post is deleted."))
    return redirect(_list_url(house))


class PostFeed(Feed):
    """The house's public news as Atom: posts for everyone only, never members-only ones."""

    feed_type = Atom1Feed

    def get_object(self, request, house):
        return get_object_or_404(House.objects.visible_to(request.user), slug=house)

    def title(self, obj: House) -> str:
        return _("News of %(house)s") % {"house": obj.name}

    def subtitle(self, obj: House) -> str:
        return _("The latest news of %(house)s.") % {"house": obj.name}

    def link(self, obj: House) -> str:
        return _list_url(obj)

    def items(self, obj: House):
        posts = list(
            Post.objects.published()
            .for_house(obj)
            .filter(audience=Post.Audience.PUBLIC)
            .select_related("house")
            .order_by("-publish_at", "-pk")[:FEED_SIZE]
        )
        for post in posts:
            post.link = post.url_in(obj)
        return posts

    def item_title(self, item: Post) -> str:
        return item.title

    def item_description(self, item: Post) -> str:
        # Atom marks the summary as HTML; escape the plain text so it stays plain text.
        return escape(item.summary)

    def item_link(self, item: Post) -> str:
        return item.link

    def item_pubdate(self, item: Post):
        return item.publish_at

    def item_updateddate(self, item: Post):
        return item.updated_at
