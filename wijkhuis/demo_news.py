"""Demo news for W4 and all houses: posts with drawn pictures, reactions, an editor, the screen.

Keyed on house + title, so a second run creates nothing. Called from wijkhuis.demo.Seeder.run():
    self.created.update(seed_news(self.houses))
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from activities.timeutil import week_start
from news import services
from news.models import Comment, Issue, Post, Screen
from residents.models import House, Membership, Role, User
from wijkhuis import demo_pictures

STAFF = "medewerker@example.nl"
EDITOR = "student@example.nl"  # Daan writes news for W4 too

# (house slug or None for all houses, title, summary, body, picture, alt, days ago (negative: later),
#  pinned, audience, author e-mail, status)
POSTS = [
    (
        "w4",
        "Welkom in W4!",
        "De woonkamer van Witmondplein 4 is van de buurt. Kom binnen, de koffie staat klaar.",
        "Sinds vorig jaar december is **Witmondplein 4** een huis voor de hele buurt. Twee studenten wonen "
        "er, en de woonkamer is voor iedereen.\n\n"
        "- Je kunt binnenlopen tijdens de inloop.\n"
        "- Je kunt de woonkamer reserveren voor je eigen activiteit.\n"
        "- Heb je een idee? Vertel het ons.\n\n"
        "Tot snel!",
        "house_front",
        "De voorkant van W4: een rijtjeshuis met een groene deur en het nummer 4.",
        40,
        True,
        Post.Audience.PUBLIC,
        STAFF,
        Post.Status.PUBLISHED,
    ),
    (
        "w4",
        "Koffieochtend: elke dinsdag en donderdag",
        "Elke dinsdag en donderdag van 10:00 tot 12:00 drinken we samen koffie. Iedereen is welkom.",
        "Kom gezellig langs voor een kop koffie of thee en een praatje. Je hoeft je niet aan te "
        "melden. Daan en Noor zetten de koffie. Er is ook iets lekkers.",
        "coffee_table",
        "Een tafel met vier koppen koffie, een koffiepot en een bord met koekjes.",
        12,
        False,
        Post.Audience.PUBLIC,
        EDITOR,
        Post.Status.PUBLISHED,
    ),
    (
        "w4",
        "De plantenbakken zijn gevuld",
        "Samen met buren hebben we de plantenbakken voor het huis gevuld met bloemen.",
        "Op zaterdag hebben tien buren geholpen. Wil je helpen met water geven? Zet je naam op "
        "de lijst in de woonkamer.",
        "garden",
        "Drie plantenbakken met gekleurde bloemen voor een bakstenen muurtje, in de zon.",
        5,
        False,
        Post.Audience.PUBLIC,
        EDITOR,
        Post.Status.PUBLISHED,
    ),
    (
        "w4",
        "Verslag van het bewonersoverleg",
        "Wat we afspraken over de schoonmaak van de keuken en de sleutels.",
        "We spraken af dat wie kookt, ook de keuken schoonmaakt. De sleutel van de kast met "
        "spelletjes ligt bij Daan en Noor.",
        None,
        "",
        3,
        False,
        Post.Audience.MEMBERS,
        STAFF,
        Post.Status.PUBLISHED,
    ),
    (
        None,
        "Nieuw: spreekuur over energie besparen",
        "Een energiecoach komt langs in alle wijkhuizen. Vraag tips voor een lagere energierekening.",
        "De energiecoach helpt je gratis. Je kunt vragen stellen over je rekening, over tochtstrips "
        "en over de verwarming. Neem je jaarafrekening mee als je die hebt.",
        None,
        "",
        8,
        False,
        Post.Audience.PUBLIC,
        STAFF,
        Post.Status.PUBLISHED,
    ),
    (
        "w4",
        "Sinterklaas in W4",
        "Op 5 december komt Sinterklaas langs voor de kinderen uit de buurt.",
        "Kinderen tot 10 jaar zijn welkom met hun ouders of opa en oma. Neem een schoen mee!",
        None,
        "",
        -1,  # scheduled: visible from tomorrow
        False,
        Post.Audience.PUBLIC,
        STAFF,
        Post.Status.PUBLISHED,
    ),
    (
        "w4",
        "Kerstdiner (concept)",
        "Plannen voor een kerstdiner met de buurt.",
        "Nog uitzoeken: hoeveel mensen passen er in de woonkamer?",
        None,
        "",
        0,
        False,
        Post.Audience.PUBLIC,
        STAFF,
        Post.Status.DRAFT,
    ),
]

STUDENTS_WORD = (
    "Hoi buren!\n\n"
    "Deze week staat de koffie weer klaar op dinsdag en donderdag. Heb je zin om mee te helpen met de "
    "plantenbakken? Kom gerust langs, ook als je geen groene vingers hebt.\n\n"
    "Tot snel bij de koffie!\n"
    "Daan en Noor"
)

# (post title, author e-mail, text, hours ago, hidden reason)
COMMENTS = [
    (
        "Koffieochtend: elke dinsdag en donderdag",
        "bewoner@example.nl",
        "Gezellig! Ik neem een cake mee.",
        50,
        "",
    ),
    (
        "Koffieochtend: elke dinsdag en donderdag",
        "ayse.yilmaz@example.nl",
        "Ik kom ook, met mijn buurvrouw.",
        30,
        "",
    ),
    (
        "De plantenbakken zijn gevuld",
        "shanti.ramdin@example.nl",
        "Mooi geworden. Ik geef op maandag water.",
        20,
        "",
    ),
    (
        "De plantenbakken zijn gevuld",
        "khadija.amrani@example.nl",
        "Wie heeft mijn gieter geleend? Bel me op 06-12345678.",
        10,
        "Er stond een telefoonnummer in. Dat zetten we niet online. Vraag het in de woonkamer.",
    ),
]


def seed_news(houses: dict[str, House]) -> Counter[str]:
    created: Counter[str] = Counter()
    people = {u.email: u for u in User.objects.filter(email__isnull=False)}
    staff = people[STAFF]
    w4 = houses["w4"]
    if not Membership.objects.filter(user=people[EDITOR], house=w4, role=Role.EDITOR).exists():
        Membership.objects.create(
            user=people[EDITOR],
            house=w4,
            role=Role.EDITOR,
            status=Membership.Status.ACTIVE,
            decided_at=timezone.now() - dt.timedelta(days=30),
            decided_by=staff,
        )
        created["news editors"] += 1
    now = timezone.now()
    posts: dict[str, Post] = {}
    for slug, title, summary, body, picture, alt, days_ago, pinned, audience, author, status in POSTS:
        house = houses[slug] if slug else None
        existing = Post.objects.filter(house=house, title=title).first()
        if existing:
            posts[title] = existing
            continue
        images = []
        if picture:
            upload = SimpleUploadedFile(f"{picture}.png", getattr(demo_pictures, picture)(), "image/png")
            images.append((upload, alt))
        author_user = people[author]
        author_user.forget_roles()
        post = services.create_post(
            by=author_user,
            house=house,
            data={
                "title": title,
                "summary": summary,
                "body": body,
                "status": status,
                "publish_at": now - dt.timedelta(days=days_ago),
                "pinned": pinned,
                "audience": audience,
                "comments_enabled": True,
                # Drawn pictures: nobody recognisable in them.
                "photo_consent": bool(picture),
            },
            images=images,
        )
        Post.objects.filter(pk=post.pk).update(created_at=now - dt.timedelta(days=max(days_ago, 0) + 1))
        posts[title] = post
        created["news posts"] += 1
    for title, email, text, hours_ago, reason in COMMENTS:
        post = posts[title]
        author = people[email]
        if Comment.objects.filter(post=post, author=author, body=text).exists():
            continue
        when = now - dt.timedelta(hours=hours_ago)
        Comment.objects.create(
            post=post,
            author=author,
            body=text,
            created_at=when,
            hidden_at=when + dt.timedelta(hours=1) if reason else None,
            hidden_by=staff if reason else None,
            hidden_reason=reason,
        )
        created["reactions"] += 1
    # This week's koffiekrant is being written: the students' word is there, not yet published.
    _, made = Issue.objects.get_or_create(
        house=w4,
        week_start=week_start(timezone.localdate()),
        defaults={"students_word": STUDENTS_WORD, "updated_by": people[EDITOR]},
    )
    if made:
        created["koffiekrant issues"] += 1
    for house in houses.values():
        _, made = Screen.objects.get_or_create(house=house)
        if made:
            created["information screens"] += 1
    return created
