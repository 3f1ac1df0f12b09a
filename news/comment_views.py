"""Reactions under news posts: writing, reporting, moderating (hide, show again, close reports).

Every change is a POST with CSRF that goes back to the post (at the reaction) with a message, or to
the moderation page when it came from there; all of it works without JavaScript. The rules are in
news.comments; these views find the objects (404 for what the person may not see) and call them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from news import comments
from news import views as news_views
from news.comment_forms import CommentForm, HideForm, ReportForm
from news.models import Comment, Post
from residents.decorators import house_view
from residents.models import House
from residents.permissions import can, require

BACK_TO_QUEUE = "meldingen"


def comments_context(request, house: House, post: Post, form: CommentForm | None = None) -> dict:
    """What templates/news/_comments.html needs; one query for the reactions, none for others."""
    user = request.user
    now = timezone.now()
    published = post.status == Post.Status.PUBLISHED and post.publish_at <= now
    readable = published and comments.may_read(user, post)
    return {
        "comments_shown": published,
        "comments_readable": readable,
        "comments": comments.comments_for_page(post, user) if readable else [],
        "comments_open": comments.is_open_for_reactions(post, now),
        "may_moderate": comments.may_moderate(user, post),
        "moderation_url": reverse("news:moderation", kwargs={"house": house.slug})
        if can(user, "news.moderate", house)
        else "",
        "comment_form": form or CommentForm(),
    }


def _post_for(request, house: House, pk: int, *, moderating: bool = False) -> Post:
    """The post as this person may see it under this house; moderators also reach unpublished ones."""
    post = Post.objects.for_house(house).select_related("house").filter(pk=pk).first()
    if post is None:
        raise Http404
    if moderating and comments.may_moderate(request.user, post):
        return post
    if not Post.objects.published().visible_to(request.user).filter(pk=post.pk).exists():
        raise Http404
    if moderating:
        raise PermissionDenied
    return post


def _comment_for(post: Post, pk: int) -> Comment:
    comment = Comment.objects.filter(post=post, pk=pk).first()
    if comment is None:
        raise Http404
    comment.post = post
    return comment


def _back(request, house: House, post: Post, comment_pk: int | None = None):
    if request.POST.get("terug") == BACK_TO_QUEUE:
        return redirect(reverse("news:moderation", kwargs={"house": house.slug}))
    anchor = f"#reactie-{comment_pk}" if comment_pk else "#reacties"
    return redirect(post.url_in(house) + anchor)


def _first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


@require_POST
@login_required
@house_view
def comment_add(request, house: House, pk: int):
    post = _post_for(request, house, pk)
    if not comments.may_comment(request.user, post):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = comments.add_comment(post=post, by=request.user, body=form.cleaned_data["body"])
        except comments.CommentError as err:
            form.add_error(err.field if err.field in form.fields else None, str(err))
        else:
            messages.success(request, _("Thank you. Your reaction is placed."))
            return _back(request, house, post, comment.pk)
    # The page again with the text kept and the problem at the field.
    return news_views.post_detail(request, house=house.slug, pk=post.pk, comment_form=form)


def _moderate(request, house: House, pk: int, comment: int, action) -> HttpResponse:
    post = _post_for(request, house, pk, moderating=True)
    target = _comment_for(post, comment)
    try:
        message = action(target)
    except comments.CommentError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, message)
    return _back(request, house, post, target.pk)


@require_POST
@login_required
@house_view
def comment_hide(request, house: House, pk: int, comment: int):
    def hide(target: Comment) -> str:
        form = HideForm(request.POST)
        if not form.is_valid():
            raise comments.CommentError(_first_error(form), field="reason")
        comments.hide_comment(comment=target, by=request.user, reason=form.cleaned_data["reason"])
        return _("The reaction is hidden. The writer sees your reason.")

    return _moderate(request, house, pk, comment, hide)


@require_POST
@login_required
@house_view
def comment_unhide(request, house: House, pk: int, comment: int):
    def unhide(target: Comment) -> str:
        comments.unhide_comment(comment=target, by=request.user)
        return _("The reaction can be seen again.")

    return _moderate(request, house, pk, comment, unhide)


@require_POST
@login_required
@house_view
def comment_dismiss(request, house: House, pk: int, comment: int):
    def dismiss(target: Comment) -> str:
        comments.dismiss_reports(comment=target, by=request.user)
        return _("The reports are closed. The reaction stays.")

    return _moderate(request, house, pk, comment, dismiss)


@require_POST
@login_required
@house_view
def comment_report(request, house: House, pk: int, comment: int):
    post = _post_for(request, house, pk)
    if not comments.may_read(request.user, post):
        raise PermissionDenied
    target = _comment_for(post, comment)
    form = ReportForm(request.POST)
    try:
        if not form.is_valid():
            raise comments.CommentError(_first_error(form), field="reason")
        comments.report_comment(comment=target, by=request.user, reason=form.cleaned_data["reason"])
    except comments.CommentError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, _("Thank you. The moderators will look at this reaction."))
    return _back(request, house, post, target.pk)


@require_POST
@login_required
@house_view
def comment_delete(request, house: House, pk: int, comment: int):
    post = _post_for(request, house, pk)
    target = _comment_for(post, comment)
    if target.author_id != request.user.pk:
        raise PermissionDenied
    comments.delete_comment(comment=target, by=request.user)
    messages.success(request, _("Your reaction is deleted."))
    return _back(request, house, post)


@login_required
@house_view
@require("news.moderate")
def moderation(request, house: House):
    queue = comments.moderation_queue(house, request.user)
    for comment in (*queue.reported, *queue.hidden):
        comment.link = f"{comment.post.url_in(house)}#reactie-{comment.pk}"
    return render(
        request,
        "news/moderation.html",
        {"house": house, "reported": queue.reported, "hidden": queue.hidden, "back": BACK_TO_QUEUE},
    )


urlpatterns = [
    path("<slug:house>/nieuws/meldingen/", moderation, name="moderation"),
    path("<slug:house>/nieuws/<int:pk>/reacties/", comment_add, name="comment_add"),
    path("<slug:house>/nieuws/<int:pk>/reacties/<int:comment>/verbergen/", comment_hide, name="comment_hide"),
    path("<slug:house>/nieuws/<int:pk>/reacties/<int:comment>/tonen/", comment_unhide, name="comment_unhide"),
    path(
        "<slug:house>/nieuws/<int:pk>/reacties/<int:comment>/afhandelen/",
        comment_dismiss,
        name="comment_dismiss",
    ),
    path(
        "<slug:house>/nieuws/<int:pk>/reacties/<int:comment>/melden/", comment_report, name="comment_report"
    ),
    path(
        "<slug:house>/nieuws/<int:pk>/reacties/<int:comment>/verwijderen/",
        comment_delete,
        name="comment_delete",
    ),
]
