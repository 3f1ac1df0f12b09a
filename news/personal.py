"""What this app holds about a person (news they wrote, their reactions, reactions they reported), for
/mijn/gegevens/, the export and the privacy statement. Registered in apps.py.

Each `rows(user)` takes one query, whatever the number of records.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from news.models import Comment, CommentReport, Post
from residents.registry import PersonalData, register_personal_data


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value))


def _house(name) -> str:
    return name or _("all houses")


def post_rows(user) -> list[dict]:
    posts = (
        Post.objects.filter(author_id=user.pk)
        .order_by("created_at", "pk")
        .values(
            "pk", "title", "summary", "body", "house__name", "status", "publish_at", "audience", "created_at"
        )
        .annotate(photos=Count("images"))
    )
    return [
        {
            "title": p["title"],
            "house": _house(p["house__name"]),
            "summary": p["summary"],
            "text": p["body"],
            "photos": p["photos"],
            "status": _label(Post.Status.choices, p["status"]),
            "visible_from": p["publish_at"],
            "audience": _label(Post.Audience.choices, p["audience"]),
            "written_on": p["created_at"],
        }
        for p in posts
    ]


def comment_rows(user) -> list[dict]:
    comments = (
        Comment.objects.filter(author_id=user.pk)
        .order_by("created_at", "pk")
        .values("post__title", "post__house__name", "body", "created_at", "hidden_at", "hidden_reason")
    )
    return [
        {
            "post": c["post__title"],
            "house": _house(c["post__house__name"]),
            "text": c["body"],
            "written_on": c["created_at"],
            "hidden_on": c["hidden_at"],
            "hidden_why": c["hidden_reason"],
        }
        for c in comments
    ]


def report_rows(user) -> list[dict]:
    # The reported reaction's words are its writer's, not the reporter's: only the post it was under.
    reports = (
        CommentReport.objects.filter(reporter_id=user.pk)
        .order_by("created_at", "pk")
        .values("comment__post__title", "comment__post__house__name", "reason", "created_at", "handled_at")
    )
    return [
        {
            "post": r["comment__post__title"],
            "house": _house(r["comment__post__house__name"]),
            "reason": r["reason"],
            "reported_on": r["created_at"],
            "handled_on": r["handled_at"],
        }
        for r in reports
    ]


HOUSE = gettext_lazy("House")


def register() -> None:
    register_personal_data(
        PersonalData(
            key="news_posts",
            title=gettext_lazy("News you wrote"),
            about=gettext_lazy("Posts on the news board with you as the writer."),
            columns=(
                ("title", gettext_lazy("Title")),
                ("house", HOUSE),
                ("summary", gettext_lazy("Short summary")),
                ("text", gettext_lazy("Text")),
                ("photos", gettext_lazy("Photos")),
                ("status", gettext_lazy("Status")),
                ("visible_from", gettext_lazy("Visible from")),
                ("audience", gettext_lazy("Who may read it")),
                ("written_on", gettext_lazy("Written on")),
            ),
            rows=post_rows,
            purpose=gettext_lazy("To tell the neighbourhood what goes on in the house, and who wrote it."),
            basis="legitimate_interest",
            kept=gettext_lazy(
                "Until the post is deleted. When you delete your account, drafts are deleted and "
                "published posts stay as the house's news, without your name."
            ),
            who_sees=gettext_lazy(
                "Everyone, or only the members of the house, as chosen for each post. Drafts only the "
                "editors and staff of the house."
            ),
            order=50,
        ),
        PersonalData(
            key="comments",
            title=gettext_lazy("Your reactions to news"),
            about=gettext_lazy("What you wrote under news posts, and whether a moderator hid it and why."),
            columns=(
                ("post", gettext_lazy("Under the post")),
                ("house", HOUSE),
                ("text", gettext_lazy("Your reaction")),
                ("written_on", gettext_lazy("Written on")),
                ("hidden_on", gettext_lazy("Hidden on")),
                ("hidden_why", gettext_lazy("Why it is hidden")),
            ),
            rows=comment_rows,
            purpose=gettext_lazy(
                "So members can react to the news of their house, and moderators can keep it friendly."
            ),
            basis="contract",
            retention=("hidden_comments",),
            kept=gettext_lazy("Until you delete the reaction or your account."),
            who_sees=gettext_lazy("The members of the house who can read the post, with your name."),
            order=51,
        ),
        PersonalData(
            key="comment_reports",
            title=gettext_lazy("Reactions you reported"),
            about=gettext_lazy("Reactions of others you reported to the moderators, and your reason."),
            columns=(
                ("post", gettext_lazy("Under the post")),
                ("house", HOUSE),
                ("reason", gettext_lazy("Your reason")),
                ("reported_on", gettext_lazy("Reported on")),
                ("handled_on", gettext_lazy("Handled on")),
            ),
            rows=report_rows,
            purpose=gettext_lazy("So the moderators can look at a reaction that may not be OK."),
            basis="legitimate_interest",
            retention=("comment_reports",),
            who_sees=gettext_lazy(
                "The moderators of the house (coordinators, staff and news editors). The writer of the "
                "reaction does not see who reported it."
            ),
            order=52,
        ),
    )
