"""What deleting an account means for news and reactions (residents.leaving).

Reactions the person wrote are deleted (with the reports others made of them), and so are their own
reports of others' reactions. Posts they did not publish (drafts) are deleted with their pictures,
from the database and from storage. Published posts are the house's news and stay, without the
writer's name: the account that wrote them no longer has one.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import ngettext

from news.models import Comment, CommentReport, Post
from news.services import _delete_files, _file_names
from residents.audit import record
from residents.registry import LeaveNote


def leave_checks(person) -> list[LeaveNote]:
    found = []
    comments = Comment.objects.filter(author=person).count()
    if comments:
        found.append(
            LeaveNote(
                ngettext(
                    "Your reaction under the news is deleted.",
                    "Your %(count)s reactions under the news are deleted.",
                    comments,
                )
                % {"count": comments}
            )
        )
    drafts = Post.objects.filter(author=person).exclude(status=Post.Status.PUBLISHED).count()
    if drafts:
        found.append(
            LeaveNote(
                ngettext(
                    "Your news post that is not published yet is deleted, with its pictures.",
                    "Your %(count)s news posts that are not published yet are deleted, with their pictures.",
                    drafts,
                )
                % {"count": drafts}
            )
        )
    published = Post.objects.filter(author=person, status=Post.Status.PUBLISHED).count()
    if published:
        found.append(
            LeaveNote(
                ngettext(
                    "Your published news post stays: it is the house's news. "
                    "Your name is no longer shown with it.",
                    "Your %(count)s published news posts stay: they are the house's news. Your name is no "
                    "longer shown with them.",
                    published,
                )
                % {"count": published}
            )
        )
    return found


def erase(person, *, by, now: dt.datetime) -> None:
    """Runs inside residents.leaving.erase's transaction; files go once it is committed."""
    CommentReport.objects.filter(reporter=person).delete()
    Comment.objects.filter(author=person).delete()
    files = []
    for post in (
        Post.objects.filter(author=person).exclude(status=Post.Status.PUBLISHED).prefetch_related("images")
    ):
        files += [name for image in post.images.all() for name in _file_names(image)]
        record(
            "news.deleted",
            actor=by,
            target=post,
            house=post.house,
            target_repr=f"#{post.pk}",
            changes={"because": "account deleted", "images": len(post.images.all())},
        )
        post.delete()
    Post.objects.filter(author=person).update(author=None)
    if files:
        transaction.on_commit(lambda: _delete_files(files))
