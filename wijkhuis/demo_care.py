"""Demo worries and buddies for W4: a new worry waiting for the team, one being handled and referred,
closed ones over the pilot year (for the summary), waiting buddy requests and offers and a match.

Keyed on house + words (worries) and house + person + side (buddies), so a second run creates
nothing. Called from wijkhuis.demo.Seeder.run():
    self.created.update(seed_care(self.houses))
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.utils import timezone

from care.models import Buddy, Match, Worry, WorryNote
from residents.models import House, Organisation, User

COORDINATOR = "coordinator@example.nl"
STAFF = "medewerker@example.nl"

# (days ago, who raised it (e-mail) or a visitor's (name, phone), about, category, words, how to reach,
#  channel, state: new / taken / referred / closed, days to first contact)
WORRIES = [
    (
        1,
        ("Henk Mulder", "06 1234 5678"),
        "neighbour",
        "loneliness",
        "Mijn buurman op nummer 12 komt bijna niet meer buiten sinds zijn vrouw is overleden. "
        "Hij zegt dat het goed gaat, maar ik maak me zorgen.",
        "phone",
        "website",
        "new",
        None,
    ),
    (
        9,
        "bewoner@example.nl",
        "self",
        "money",
        "Ik krijg steeds meer brieven van de energiemaatschappij en ik weet niet goed wat ik moet doen.",
        "visit",
        "website",
        "referred",
        1,
    ),
    (
        38,
        ("Mevrouw Bakker", "06 8765 4321"),
        "self",
        "home",
        "De verwarming doet het al twee weken niet goed. Ik heb de corporatie gebeld, maar er gebeurt niets.",
        "phone",
        "coffee_table",
        "closed",
        0,
    ),
]
# Closed worries spread over the pilot, so the summary has something to count: (days ago, category,
# days to first contact)
HISTORY = [
    (300, "loneliness", 2),
    (260, "nuisance", 1),
    (220, "money", 3),
    (180, "health", 1),
    (150, "loneliness", 4),
    (120, "home", 2),
    (90, "safety", 1),
    (65, "money", 2),
]

# (e-mail, side, kinds, languages, when, about, contact by, phone, VOG seen days ago)
BUDDIES = [
    (
        "ayse.yilmaz@example.nl",
        "ask",
        ["language"],
        "Turks, een beetje Nederlands",
        "Dinsdag- en donderdagochtend",
        "Ik wil beter Nederlands leren praten, zodat ik zelf naar de dokter kan bellen.",
        "phone",
        "06 2345 6789",
        None,
    ),
    (
        "yusuf.alkhatib@example.nl",
        "offer",
        ["talk", "walking"],
        "Nederlands, Arabisch, Engels",
        "Doordeweeks na 16.00 uur",
        "Ik werk als verpleegkundige en wandel graag. Een goed gesprek vind ik fijn.",
        "phone",
        "06 3456 7890",
        20,
    ),
    (
        "bewoner@example.nl",
        "ask",
        ["talk"],
        "Nederlands",
        "Woensdagmiddag",
        "Sinds mijn man er niet meer is, is het stil in huis. Een kop koffie samen zou fijn zijn.",
        "email",
        "",
        None,
    ),
    (
        "shanti.ramdin@example.nl",
        "offer",
        ["talk", "digital"],
        "Nederlands, Engels",
        "Woensdag en zaterdag",
        "Ik woon om de hoek en help graag met de telefoon of de computer.",
        "email",
        "",
        75,
    ),
]
# Truus (bewoner) and Shanti have been buddies for two months.
MATCHED = ("bewoner@example.nl", "shanti.ramdin@example.nl", 60)


def seed_care(houses: dict[str, House]) -> Counter[str]:
    created: Counter[str] = Counter()
    w4 = houses["w4"]
    people = {u.email: u for u in User.objects.filter(email__isnull=False)}
    coordinator, staff = people[COORDINATOR], people[STAFF]
    debt_help = Organisation.objects.filter(kind=Organisation.Kind.DEBT_HELP).first()
    welfare = Organisation.objects.filter(kind=Organisation.Kind.WELFARE).first()
    now = timezone.now()

    for days_ago, who, about, category, words, contact_by, channel, state, contact_days in WORRIES:
        if Worry.objects.filter(house=w4, message=words).exists():
            continue
        raised = now - dt.timedelta(days=days_ago, hours=3)
        person = people[who] if isinstance(who, str) else None
        name, phone = (person.name, "") if person else who
        worry = Worry.objects.create(
            house=w4,
            raised_by=person,
            entered_by=staff if channel != "website" else None,
            channel=channel,
            name=name,
            phone=phone,
            address="Witmondplein 9" if contact_by == "visit" else "",
            contact_by=contact_by,
            contact_when="Liefst 's ochtends" if contact_by != "email" else "",
            about=about,
            category=category,
            message=words,
            created_at=raised,
        )
        _handle(worry, state, contact_days, coordinator, debt_help)
        created["worries"] += 1

    for days_ago, category, contact_days in HISTORY:
        words = f"(demo) Een eerdere melding van {days_ago} dagen geleden."
        if Worry.objects.filter(house=w4, message=words).exists():
            continue
        worry = Worry.objects.create(
            house=w4,
            channel="website",
            name="Buurtbewoner",
            phone="06 0000 0000",
            contact_by="phone",
            about="self",
            category=category,
            message=words,
            created_at=now - dt.timedelta(days=days_ago),
        )
        _handle(worry, "closed", contact_days, coordinator, welfare)
        created["worries"] += 1

    buddies: dict[str, Buddy] = {}
    for email, side, kinds, languages, when, about, contact_by, phone, vog_days in BUDDIES:
        person = people[email]
        buddy = Buddy.objects.filter(house=w4, person=person, side=side).first()
        if buddy is None:
            buddy = Buddy.objects.create(
                house=w4,
                person=person,
                side=side,
                kinds=kinds,
                languages=languages,
                available=when,
                about=about,
                contact_by=contact_by,
                phone=phone,
                intake_at=now - dt.timedelta(days=80) if vog_days else None,
                intake_by=coordinator if vog_days else None,
                partner=welfare if vog_days else None,
                vog_seen_at=(now - dt.timedelta(days=vog_days)).date() if vog_days else None,
                created_at=now - dt.timedelta(days=90 if vog_days else 12),
            )
            created["buddy requests and offers"] += 1
        buddies[email] = buddy

    ask_email, offer_email, days_ago = MATCHED
    ask, offer = buddies[ask_email], buddies[offer_email]
    if not Match.objects.filter(ask=ask, offer=offer).exists():
        started = now - dt.timedelta(days=days_ago)
        Match.objects.create(
            ask=ask,
            offer=offer,
            proposed_by=coordinator,
            proposed_at=started - dt.timedelta(days=3),
            note="Jullie wonen dicht bij elkaar en zijn allebei woensdag vrij.",
            ask_answer=Match.Answer.YES,
            offer_answer=Match.Answer.YES,
            status=Match.Status.ACTIVE,
            started_at=started,
            followed_up_at=started + dt.timedelta(days=28),
        )
        Buddy.objects.filter(pk__in=[ask.pk, offer.pk]).update(status=Buddy.Status.MATCHED)
        created["buddy matches"] += 1
    return created


def _handle(worry: Worry, state: str, contact_days, coordinator, partner) -> None:
    """Take the worry through the team's steps up to `state`, with notes as the team writes them."""
    if state == "new":
        return
    contact = worry.created_at + dt.timedelta(days=contact_days, hours=2)
    notes = [
        WorryNote(
            worry=worry, kind="taken", author=coordinator, created_at=worry.created_at + dt.timedelta(hours=1)
        ),
        WorryNote(
            worry=worry,
            kind="contact",
            text="Gebeld en een afspraak gemaakt.",
            author=coordinator,
            created_at=contact,
        ),
    ]
    fields = {"status": "taken", "handler": coordinator, "first_contact_at": contact}
    if state == "referred":
        notes.append(
            WorryNote(
                worry=worry,
                kind="referred",
                text="Akkoord van de bewoner; aangemeld bij de schuldhulp.",
                author=coordinator,
                created_at=contact + dt.timedelta(days=1),
            )
        )
        fields.update(status="referred", referred_to=partner, consent_at=contact + dt.timedelta(days=1))
    if state == "closed":
        closed = contact + dt.timedelta(days=5)
        notes.append(
            WorryNote(worry=worry, kind="closed", text="Opgelost.", author=coordinator, created_at=closed)
        )
        fields.update(status="closed", closed_at=closed, outcome="helped")
    WorryNote.objects.bulk_create(notes)
    Worry.objects.filter(pk=worry.pk).update(**fields)
