"""Demo ideas and polls for W4: a few ideas with supports (one planned, one "not now"), an open poll
with ballots and a closed one. Keyed on house + title or question, so a second run creates nothing.

Called from wijkhuis.demo.Seeder.run() after the accounts exist:
    self.created.update(seed_ideas(self.houses))
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from django.utils import timezone

from activities.models import Idea, IdeaSupport, Poll, PollBallot, PollOption
from residents.audit import record
from residents.models import House, User

STAFF = "medewerker@example.nl"
COORDINATOR = "coordinator@example.nl"

# (title, proposer e-mail or a name registered by staff, description, helpers, status, reason,
#  days ago, supporters)
IDEAS = [
    (
        "Samen koken met buren",
        "khadija.amrani@example.nl",
        "Eén keer per maand samen koken in de keuken van W4 en daarna samen eten. Iedereen neemt "
        "een recept mee uit zijn eigen land.",
        "Ik kan koken voor twintig mensen. Misschien helpt de buurtsportcoach met boodschappen.",
        Idea.Status.LOOKING,
        "",
        20,
        [
            "ayse.yilmaz@example.nl",
            "bewoner@example.nl",
            "shanti.ramdin@example.nl",
            "yusuf.alkhatib@example.nl",
        ],
    ),
    (
        "Een boekenkast voor ruilen",
        "bewoner@example.nl",
        "Een kast in de huiskamer waar je een boek neemt en een ander terugzet.",
        "Mijn buurman heeft een oude kast over.",
        Idea.Status.PLANNED,
        "",
        35,
        ["ayse.yilmaz@example.nl", "Wil Kok"],
    ),
    (
        "Hulp bij formulieren",
        "Wil Kok",
        "Iemand die helpt met brieven van de gemeente en formulieren invullen.",
        "Schuldhulp Samen?",
        Idea.Status.NEW,
        "",
        6,
        ["bewoner@example.nl", "yusuf.alkhatib@example.nl", "khadija.amrani@example.nl"],
    ),
    (
        "Een zwembad in de tuin",
        "yusuf.alkhatib@example.nl",
        "In de zomer is het heel warm op het plein.",
        "",
        Idea.Status.NOT_NOW,
        "De tuin is te klein en een zwembad is niet veilig zonder toezicht. We kijken wel naar een "
        "uitje naar het buitenbad in de zomer.",
        50,
        ["shanti.ramdin@example.nl"],
    ),
]

# (question, description, options, max choices, days open from now (negative: closed), results,
#  ballots: voter -> option indexes)
POLLS = [
    (
        "Welke drie thema's wil je dit voorjaar?",
        "Kies er hoogstens drie. De studenten plannen de activiteiten rond de thema's met de meeste stemmen.",
        [
            "Gezond eten en koken",
            "Bewegen en wandelen",
            "Geldzaken en formulieren",
            "Nederlands praten",
            "Tuinieren op het plein",
            "Muziek en dans",
        ],
        3,
        14,
        Poll.Results.AFTER_VOTE,
        {
            "ayse.yilmaz@example.nl": [0, 1, 3],
            "khadija.amrani@example.nl": [0, 4],
            "yusuf.alkhatib@example.nl": [3, 2, 5],
            "Wil Kok": [2],
        },
    ),
    (
        "Op welke ochtend wil je de koffieochtend?",
        "",
        ["Dinsdag", "Woensdag", "Donderdag"],
        1,
        -10,
        Poll.Results.AFTER_CLOSE,
        {
            "bewoner@example.nl": [0],
            "ayse.yilmaz@example.nl": [2],
            "khadija.amrani@example.nl": [0],
            "shanti.ramdin@example.nl": [0],
            "Wil Kok": [2],
        },
    ),
]


def _person(key: str, staff: User) -> User:
    if "@" in key:
        return User.objects.get(email__iexact=key)
    return User.objects.get(name=key, registered_by=staff)


def seed_ideas(houses: dict[str, House]) -> Counter[str]:
    """Create what is missing of the demo ideas and polls of W4; returns how many rows are new."""
    created: Counter[str] = Counter()
    house = houses["w4"]
    now = timezone.now()
    with transaction.atomic():
        staff = User.objects.get(email__iexact=STAFF)
        coordinator = User.objects.get(email__iexact=COORDINATOR)
        for title, proposer_key, description, helpers, status, reason, days_ago, supporters in IDEAS:
            proposer = _person(proposer_key, staff)
            on_paper = "@" not in proposer_key
            idea, made = Idea.objects.get_or_create(
                house=house,
                title=title,
                defaults={
                    "proposer": proposer,
                    "entered_by": coordinator if on_paper else None,
                    "description": description,
                    "helpers": helpers,
                    "status": status,
                    "status_reason": reason,
                    "created_at": now - dt.timedelta(days=days_ago),
                },
            )
            if made:
                created["ideas"] += 1
                record(
                    "idea.proposed",
                    actor=coordinator if on_paper else proposer,
                    on_behalf_of=proposer if on_paper else None,
                    target=idea,
                    house=house,
                )
                created["audit events"] += 1
                if status != Idea.Status.NEW:
                    record(
                        "idea.status",
                        actor=coordinator,
                        target=idea,
                        house=house,
                        changes={"status": [Idea.Status.NEW, status], "reason": reason},
                    )
                    created["audit events"] += 1
            for i, key in enumerate(supporters):
                person = _person(key, staff)
                _, made = IdeaSupport.objects.get_or_create(
                    idea=idea,
                    person=person,
                    defaults={
                        "entered_by": coordinator if "@" not in key else None,
                        "created_at": idea.created_at + dt.timedelta(days=1, hours=i),
                    },
                )
                if made:
                    created["idea supports"] += 1

        for question, text, options, max_choices, days_open, results, ballots in POLLS:
            poll = Poll.objects.filter(house=house, question=question).first()
            if poll is None:
                closes = (now + dt.timedelta(days=days_open)).replace(
                    hour=20, minute=0, second=0, microsecond=0
                )
                poll = Poll.objects.create(
                    house=house,
                    question=question,
                    description=text,
                    max_choices=max_choices,
                    closes_at=closes,
                    results=results,
                    created_by=coordinator,
                    created_at=min(now, closes) - dt.timedelta(days=21),
                )
                record("poll.opened", actor=coordinator, target=poll, house=house)
                created["polls"] += 1
                created["audit events"] += 1
            made_options = []
            for position, option_text in enumerate(options):
                option, made = PollOption.objects.get_or_create(
                    poll=poll, text=option_text, defaults={"position": position}
                )
                made_options.append(option)
                if made:
                    created["poll options"] += 1
            for key, chosen in ballots.items():
                person = _person(key, staff)
                ballot, made = PollBallot.objects.get_or_create(
                    poll=poll,
                    person=person,
                    defaults={
                        "entered_by": coordinator if "@" not in key else None,
                        "created_at": poll.created_at + dt.timedelta(days=2),
                    },
                )
                if made:
                    ballot.options.set([made_options[i] for i in chosen])
                    created["poll ballots"] += 1
    return created
