"""Reactions under news posts: who may read, write and moderate them, and every change to them.

Who is who:
- Reactions are read and written by members of the post's house (the "house.use" roles; viewers,
  the aldermen, never see a person). A post for all houses: members of any house.
- Moderators hide (never delete) a reaction with a reason the writer reads, show it again, or close
  its reports: "news.moderate" in the post's house. A post for all houses is moderated by staff of
  any house (and superusers), as only staff may write such posts (news.services.may_edit): a
  coordinator of one house does not judge what members of another house wrote.
- Any member who may read a reaction may report it, once. Writers may delete their own reaction.

Reactions are plain text: stored as typed (trimmed), escaped and given line breaks when shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from news.images import NewsError
from news.models import Comment, CommentReport, Post
from residents.audit import record, team_words
from residents.mail import mail_person
from residents.models import House, Membership, Role, User
from residents.permissions import ABILITIES, can
from residents.text import clean_text

__all__ = [
    "CommentError",
    "CommentNotAllowed",
    "add_comment",
    "comments_for_page",
    "delete_comment",
    "dismiss_reports",
    "hide_comment",
    "may_moderate",
    "may_read",
    "moderation_queue",
    "report_comment",
    "unhide_comment",
]

MEMBER_ROLES = tuple(sorted(ABILITIES["house.use"]))
MODERATOR_ROLES = tuple(sorted(ABILITIES["news.moderate"]))
REASON_MAX_LENGTH = 300
# Enough for a lively conversation, not for a flood: counted in the database, per person.
RATE_LIMIT = 5
RATE_WINDOW = dt.timedelta(minutes=10)
HIDDEN_IN_QUEUE = 50


class CommentError(NewsError):
    """A reaction that cannot be saved or changed; the message is for the person, `field` for the form."""


class CommentNotAllowed(CommentError, PermissionDenied):
    """The person may not do this (a CommentError, and a 403 if nobody catches it)."""


# --- who may do what --------------------------------------------------------------------------


def may_read(user, post: Post) -> bool:
    """Members of the post's house read, write and report reactions; a post for all houses: any member."""
    if not getattr(user, "is_authenticated", False):
        return False
    if post.house_id is None:
        return user.is_superuser or user.has_any_role(*MEMBER_ROLES)
    return can(user, "house.use", post.house_id)


may_comment = may_read


def may_moderate(user, post: Post) -> bool:
    """Moderators of the post's house; a post for all houses: staff of any house (see the module doc)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if post.house_id is None:
        return user.is_superuser or user.has_any_role(Role.STAFF)
    return can(user, "news.moderate", post.house_id)


def is_open_for_reactions(post: Post, now=None) -> bool:
    return (
        post.comments_enabled
        and post.status == Post.Status.PUBLISHED
        and post.publish_at <= (now or timezone.now())
    )


# --- reading ----------------------------------------------------------------------------------


def comments_for_page(post: Post, user) -> list[Comment]:
    """The reactions under a post for someone who may read them, in one query.

    Each comment gets `mine`, `reported_by_me` and, for moderators, `open_reports`.
    """
    moderator = may_moderate(user, post)
    comments = post.comments.select_related("author").annotate(
        reported_by_me=Exists(CommentReport.objects.filter(comment=OuterRef("pk"), reporter=user))
    )
    if moderator:
        comments = comments.annotate(
            open_reports=Count("reports", filter=Q(reports__handled_at__isnull=True))
        )
    result = list(comments)
    for comment in result:
        comment.author_name = author_name(comment.author)
        comment.mine = comment.author_id == user.pk
        if not moderator:
            comment.open_reports = 0
    return result


def author_name(person: User | None) -> str:
    """The name shown with a reaction; the account of a writer may have been erased since."""
    return person.name if person is not None and person.name else _("a former member")


@dataclass(frozen=True)
class Queue:
    reported: list[Comment]
    hidden: list[Comment]


def _moderated_here(house: House, user) -> Q:
    """Comments on posts of this house; those on posts for all houses too where `user` moderates them."""
    scope = Q(post__house=house)
    if user.is_superuser or user.has_any_role(Role.STAFF):
        scope |= Q(post__house__isnull=True)
    return scope


def moderation_queue(house: House, user) -> Queue:
    """Reactions with open reports (oldest report first) and the latest hidden ones, in three queries."""
    scope = Comment.objects.filter(_moderated_here(house, user)).select_related("post", "author")
    open_reports = CommentReport.objects.filter(handled_at__isnull=True).select_related("reporter")
    reported = list(
        scope.filter(hidden_at__isnull=True, reports__handled_at__isnull=True)
        .annotate(first_report=Min("reports__created_at", filter=Q(reports__handled_at__isnull=True)))
        .prefetch_related(Prefetch("reports", queryset=open_reports, to_attr="open_report_list"))
        .order_by("first_report", "pk")
    )
    hidden = list(
        scope.filter(hidden_at__isnull=False)
        .select_related("hidden_by")
        .order_by("-hidden_at", "-pk")[:HIDDEN_IN_QUEUE]
    )
    for comment in (*reported, *hidden):
        comment.author_name = author_name(comment.author)
    return Queue(reported=reported, hidden=hidden)


# --- writing ----------------------------------------------------------------------------------


def _clean_reason(reason: str | None, *, required: bool) -> str:
    reason = " ".join(clean_text(reason).split())
    if required and not reason:
        raise CommentError(_("Say why you hide this reaction. The writer reads it."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise CommentError(
            _("The reason can have at most %(limit_value)d characters.") % {"limit_value": REASON_MAX_LENGTH},
            field="reason",
        )
    return reason


def add_comment(*, post: Post, by: User, body: str) -> Comment:
    """A member's reaction under a published post that is open for reactions."""
    if not may_comment(by, post):
        raise CommentNotAllowed(_("Only members of this house can react."))
    body = clean_text(body)
    if not body:
        raise CommentError(_("Write a reaction first."), field="body")
    if len(body) > Comment.MAX_LENGTH:
        raise CommentError(
            _("Your reaction can have at most %(limit_value)d characters. Now it has %(show_value)d.")
            % {"limit_value": Comment.MAX_LENGTH, "show_value": len(body)},
            field="body",
        )
    with transaction.atomic():
        # The lock makes "open for reactions" hold until we are done, even if an editor closes it now.
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if not is_open_for_reactions(locked):
            raise CommentError(_("Reacting is switched off for this post."))
        recent = Comment.objects.filter(author=by, created_at__gte=timezone.now() - RATE_WINDOW).count()
        if recent >= RATE_LIMIT:
            raise CommentError(
                _("You have written many reactions in a short time. Wait a few minutes and try again.")
            )
        return Comment.objects.create(post=post, author=by, body=body)


def hide_comment(*, comment: Comment, by: User, reason: str) -> Comment:
    """Hide a reaction with a reason its writer reads; its open reports are handled with it."""
    if not may_moderate(by, comment.post):
        raise CommentNotAllowed(_("You may not moderate the reactions of this post."))
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.hidden_at is not None:
            raise CommentError(_("A moderator has already hidden this reaction."))
        now = timezone.now()
        locked.hidden_at, locked.hidden_by, locked.hidden_reason = now, by, reason
        locked.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        handled = locked.reports.filter(handled_at__isnull=True).update(handled_at=now)
        record(
            "news.comment_hidden",
            actor=by,
            target=locked,
            house=comment.post.house,
            changes={
                "post": comment.post_id,
                "reason": team_words(reason, by=by, house=comment.post.house),
                "reports_handled": handled,
            },
        )
        _tell_writer(locked, by, reason)
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = now, by, reason
    return comment


def _tell_writer(comment: Comment, by: User, reason: str) -> None:
    """The writer hears why, by e-mail, in the same transaction (queued, sent after commit)."""
    writer = comment.author
    if writer is None or not writer.email or not writer.is_active or writer.pk == by.pk:
        return
    house = (
        comment.post.house
        or House.objects.filter(
            memberships__user=writer, memberships__status=Membership.Status.ACTIVE
        ).first()
    )
    if house is None:
        return
    mail_person(
        writer,
        "news/comment_hidden_mail",
        {"post": comment.post, "reason": reason, "post_url": comment.post.url_in(house) + "#reacties"},
    )


def unhide_comment(*, comment: Comment, by: User) -> Comment:
    """Show a hidden reaction again (a moderator changed their mind or hid the wrong one)."""
    if not may_moderate(by, comment.post):
        raise CommentNotAllowed(_("You may not moderate the reactions of this post."))
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.hidden_at is None:
            raise CommentError(_("This reaction is not hidden."))
        old_reason = team_words(locked.hidden_reason, by=locked.hidden_by, house=comment.post.house)
        locked.hidden_at, locked.hidden_by, locked.hidden_reason = None, None, ""
        locked.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        record(
            "news.comment_shown",
            actor=by,
            target=locked,
            house=comment.post.house,
            changes={"post": comment.post_id, "reason": [old_reason, ""]},
        )
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = None, None, ""
    return comment


def _has_reported(comment: Comment, person: User) -> bool:
    return CommentReport.objects.filter(comment=comment, reporter=person).exists()


def report_comment(*, comment: Comment, by: User, reason: str = "") -> CommentReport:
    """A member tells the moderators a reaction is not OK; once per person, the first report is mailed."""
    if not may_read(by, comment.post):
        raise CommentNotAllowed(_("Only members of this house can report a reaction."))
    if comment.author_id == by.pk:
        raise CommentError(_("This is your own reaction. You can delete it instead."))
    if comment.hidden_at is not None:
        raise CommentError(_("A moderator has already hidden this reaction."))
    reason = _clean_reason(reason, required=False)
    already = _("You have already reported this reaction.")
    if _has_reported(comment, by):
        raise CommentError(already)
    try:
        with transaction.atomic():
            report = CommentReport.objects.create(comment=comment, reporter=by, reason=reason)
            first = not comment.reports.filter(handled_at__isnull=True).exclude(pk=report.pk).exists()
            if first:  # one mail per reported reaction, not one per report
                transaction.on_commit(lambda: _tell_moderators(comment, by))
    except IntegrityError:  # the same person, twice at once: the unique constraint has the last word
        raise CommentError(already) from None
    return report


def dismiss_reports(*, comment: Comment, by: User) -> int:
    """The moderator looked and keeps the reaction: its open reports are closed. Returns how many."""
    if not may_moderate(by, comment.post):
        raise CommentNotAllowed(_("You may not moderate the reactions of this post."))
    with transaction.atomic():
        count = comment.reports.filter(handled_at__isnull=True).update(handled_at=timezone.now())
        if not count:
            raise CommentError(_("This reaction has no open reports."))
        record(
            "news.comment_reports_dismissed",
            actor=by,
            target=comment,
            house=comment.post.house,
            changes={"post": comment.post_id, "reports": count},
        )
    return count


def delete_comment(*, comment: Comment, by: User) -> None:
    """Writers may delete their own reaction; moderators hide instead."""
    if comment.author_id is None or comment.author_id != by.pk:
        raise CommentNotAllowed(_("You can only delete your own reaction."))
    with transaction.atomic():
        # The audit row points at the post: the deleted text is not kept, not even in the trail.
        record(
            "news.comment_deleted",
            actor=by,
            target=comment.post,
            house=comment.post.house,
            changes={"comment": comment.pk},
        )
        comment.delete()


# --- telling the moderators -------------------------------------------------------------------


def _moderators(post: Post, reporter: User) -> list[tuple[User, House]]:
    """Who hears of a report, each with the house whose queue to open.

    A post of a house: its coordinators, editors and staff. A post for all houses: the staff of the
    houses the reporter belongs to.
    """
    memberships = Membership.objects.active().select_related("user", "house").exclude(user=reporter)
    if post.house_id is not None:
        memberships = memberships.filter(house_id=post.house_id, role__in=MODERATOR_ROLES)
    else:
        houses = Membership.objects.active().filter(user=reporter, role__in=MEMBER_ROLES).values("house")
        memberships = memberships.filter(house__in=houses, role=Role.STAFF)
    seen: dict[int, tuple[User, House]] = {}
    for membership in memberships.filter(user__is_active=True).order_by("house_id", "user_id"):
        seen.setdefault(membership.user_id, (membership.user, membership.house))
    return list(seen.values())


def _tell_moderators(comment: Comment, reporter: User) -> None:
    for person, house in _moderators(comment.post, reporter):
        mail_person(
            person,
            "news/moderation_mail_reported",
            {
                "post": comment.post,
                "house": house,
                "queue_url": reverse("news:moderation", kwargs={"house": house.slug}),
            },
        )
