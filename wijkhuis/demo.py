"""The demo data: two houses, their organisations, an account per role, a queue of join requests,
and the living room of each house with three months of bookings behind it and four weeks ahead.
wijkhuis.demo_history adds the pilot year before and around that (for the aldermen's summary).

Everything is keyed on stable values (organisation name, house slug, e-mail address, or a name plus
who registered the person), so running the seed again finds what is there and creates nothing new.
Dates are relative to the day the rows are first made; a later run does not move them (bookings
are placed relative to the week of the first seeded booking of the room, found again on a later run).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from activities.models import (
    Activity,
    ActivitySeries,
    Audience,
    Booking,
    BookingSeries,
    Category,
    Room,
    RoomClosure,
    RoomHours,
    Signup,
)
from activities.timeutil import make_local, week_start
from residents.audit import record
from residents.models import AuditEvent, House, Membership, OpeningHours, Organisation, Role, User

PASSWORD = "wijkhuis-demo"  # noqa: S105 -- printed on the demo banner on purpose

Kind = Organisation.Kind
Day = OpeningHours.Weekday
Status = Membership.Status

ORGANISATIONS = {
    "corporation": {
        "name": "Woonstichting De Vaart",
        "kind": Kind.CORPORATION,
        "email": "info@woonstichtingdevaart.nl",
        "phone": "0546 820 100",
        "website": "https://www.woonstichtingdevaart.nl",
        "address": "Vaartkade 12, 7607 HA Oostervaart",
        "privacy_email": "privacy@woonstichtingdevaart.nl",
    },
    "welfare": {
        "name": "Welzijn Patrimonium",
        "kind": Kind.WELFARE,
        "email": "contact@welzijnpatrimonium.nl",
        "phone": "0546 831 400",
        "website": "https://www.welzijnpatrimonium.nl",
        "address": "Lindestraat 3, 7541 RE Oostervaart",
    },
    "debt_help": {
        "name": "Schuldhulp Samen",
        "kind": Kind.DEBT_HELP,
        "email": "hulp@schuldhulpsamen.nl",
        "phone": "0546 840 840",
        "website": "https://www.schuldhulpsamen.nl",
    },
    "care": {
        "name": "Thuiszorg Dichtbij",
        "kind": Kind.CARE,
        "email": "wijkteam@thuiszorgdichtbij.nl",
        "phone": "0546 850 250",
        "website": "https://www.thuiszorgdichtbij.nl",
    },
}


def _prose(text: str) -> str:
    """Paragraphs are separated by a blank line; a single line break inside one is only wrapping."""
    return "\n\n".join(" ".join(par.split()) for par in text.split("\n\n"))


W4_DESCRIPTION = _prose("""\
Welkom in W4! W4 is een gewoon huis aan het Witmondplein. De woonkamer is van de hele buurt. Je
kunt hier binnenlopen voor een kop koffie of thee en een praatje. Je hoeft niets te kopen en je
hoeft je niet aan te melden.

In het huis wonen twee studenten. Zij organiseren samen met buren activiteiten, zoals een
koffieochtend, samen sporten en de koffiekrant. Heb je een idee voor de buurt? Of maak je je
ergens zorgen over? Kom langs of vertel het ons hier. We denken graag met je mee.""")

W4_RULES = """\
1. Iedereen is welkom. We zijn vriendelijk en hebben respect voor elkaar.
2. Binnen roken we niet. Alcohol en drugs horen hier niet.
3. Ruim op wat je gebruikt. Was je kopje af.
4. Na 22.00 uur zijn we stil, voor de buren en de studenten.
5. Wil je de woonkamer gebruiken? Reserveer dan eerst.
6. Zie je iets wat niet goed is? Zeg het tegen een student of de medewerker."""

BUURTTHUIS_DESCRIPTION = _prose("""\
BuurtThuis Wingerd is de huiskamer van het wooncomplex aan de Wingerdstraat. Hier ontmoet je je
buren. Je drinkt samen koffie, je praat over wat er speelt in het complex en je bedenkt samen wat
er beter kan.

Jij kiest mee waar we het over hebben: gooi je idee in de ideeënbus of vul de korte vragenlijst
in. Wil je Nederlands oefenen of zoek je iemand om mee te praten? Vraag naar een praatmaatje. Op
vrijdagochtend is er een spreekuur over geldzaken. Dat is gratis en we vertellen het aan niemand
door.""")

BUURTTHUIS_RULES = """\
1. Je bent welkom, wie je ook bent.
2. We praten rustig met elkaar en we luisteren naar elkaar.
3. Roken doe je buiten, niet bij de voordeur.
4. Kinderen zijn welkom met een volwassene erbij.
5. Laat de ruimte netjes achter."""

HOUSES = {
    "w4": {
        "name": "W4, Witmondplein 4",
        "street": "Witmondplein 4",
        "postcode": "7541 RG",
        "city": "Oostervaart",
        "district": "Patrimonium",
        "description": W4_DESCRIPTION,
        "house_rules": W4_RULES,
        "opening_note": "Op feestdagen is W4 dicht.",
        "households_in_area": 420,
        "pilot_months_ago": 11,
        "partners": ["welfare", "debt_help", "care"],
        "hours": [
            (Day.TUESDAY, "10:00", "12:00", "Koffieochtend"),
            (Day.WEDNESDAY, "14:00", "17:00", "Inloop"),
            (Day.THURSDAY, "10:00", "12:00", "Koffieochtend"),
            (Day.THURSDAY, "19:00", "21:00", "Taalcafé: samen Nederlands praten"),
            (Day.SATURDAY, "10:00", "13:00", "Inloop"),
        ],
    },
    "buurtthuis": {
        "name": "BuurtThuis Wingerd",
        "street": "Wingerdstraat 31",
        "postcode": "7609 KL",
        "city": "Westervaart",
        "district": "Wingerd",
        "description": BUURTTHUIS_DESCRIPTION,
        "house_rules": BUURTTHUIS_RULES,
        "opening_note": "In de zomervakantie alleen open op woensdag.",
        "households_in_area": 180,
        "pilot_months_ago": 6,
        "partners": ["welfare", "debt_help", "care"],
        "hours": [
            (Day.MONDAY, "13:30", "16:30", "Inloop"),
            (Day.WEDNESDAY, "10:00", "12:00", "Koffie en een praatje"),
            (Day.FRIDAY, "10:00", "12:00", "Spreekuur geldzaken met Schuldhulp Samen"),
            (Day.FRIDAY, "14:00", "16:00", "Inloop"),
        ],
    },
}


@dataclass(frozen=True)
class Person:
    name: str
    email: str | None
    memberships: tuple  # (house slug, role, status, days ago, motivation)
    organisation: str | None = None
    language: str = "nl"


A, P, D = Status.ACTIVE, Status.PENDING, Status.DECLINED

# The demo accounts, one per role; staff come first: they decide on the residents' requests.
PEOPLE = [
    Person(
        "Marieke Jansen",
        "medewerker@example.nl",
        (("w4", Role.STAFF, A, 345, ""), ("buurtthuis", Role.STAFF, A, 190, "")),
    ),
    Person(
        "Fatima El Idrissi",
        "coordinator@example.nl",
        (("w4", Role.COORDINATOR, A, 345, ""),),
        organisation="welfare",
    ),
    Person(
        "Henk Bosman",
        "wethouder@example.nl",
        (("w4", Role.VIEWER, A, 335, ""), ("buurtthuis", Role.VIEWER, A, 185, "")),
    ),
    Person(
        "Truus de Vries",
        "bewoner@example.nl",
        (("w4", Role.RESIDENT, A, 120, "Ik woon al veertig jaar in de buurt."),),
    ),
    Person("Daan Hoekstra", "student@example.nl", (("w4", Role.STUDENT, A, 340, ""),)),
    Person("Noor Visser", "noor.visser@example.nl", (("w4", Role.STUDENT, A, 340, ""),)),
    Person(
        "Gerrit Kuipers",
        "buiten@example.nl",
        (("buurtthuis", Role.RESIDENT, A, 70, "Ik woon op nummer 31."),),
    ),
    # More residents of W4.
    Person(
        "Ayşe Yılmaz",
        "ayse.yilmaz@example.nl",
        (("w4", Role.RESIDENT, A, 110, "Ik kom graag naar de koffieochtend."),),
    ),
    Person(
        "Khadija Amrani",
        "khadija.amrani@example.nl",
        (("w4", Role.RESIDENT, A, 95, "Ik wil helpen met koken voor de buurt."),),
    ),
    Person(
        "Yusuf Al-Khatib",
        "yusuf.alkhatib@example.nl",
        (("w4", Role.RESIDENT, A, 80, "Ik wil mijn Nederlands oefenen."),),
        language="en",
    ),
    Person(
        "Shanti Ramdin",
        "shanti.ramdin@example.nl",
        (("w4", Role.RESIDENT, A, 60, "Ik woon sinds vorig jaar in de Patrimoniumbuurt."),),
    ),
    Person(
        "Mehmet Demir",
        "mehmet.demir@example.nl",
        (("w4", Role.RESIDENT, P, 3, "Ik woon op het plein. Ik wil meedoen met sport."),),
    ),
    Person(
        "Rania Haddad",
        "rania.haddad@example.nl",
        (("w4", Role.RESIDENT, P, 2, "Ik ben nieuw in de buurt. Ik zoek een praatmaatje."),),
        language="en",
    ),
    Person(
        "Mohamed Bouzid",
        "mohamed.bouzid@example.nl",
        (
            (
                "w4",
                Role.RESIDENT,
                P,
                6,
                "Mijn moeder woont hier. Ik wil haar verjaardag hier vieren.",
            ),
        ),
    ),
    Person(
        "Errol Pinas",
        "errol.pinas@example.nl",
        (("w4", Role.RESIDENT, D, 30, "Ik wil de ruimte huren voor mijn bedrijf."),),
    ),
    # More residents of BuurtThuis Wingerd.
    Person(
        "Anouk Smit",
        "anouk.smit@example.nl",
        (("buurtthuis", Role.RESIDENT, A, 75, "Ik help graag bij de inloop."),),
    ),
    Person(
        "Ibrahim Hamdan",
        "ibrahim.hamdan@example.nl",
        (("buurtthuis", Role.RESIDENT, A, 50, "Ik woon op de derde verdieping."),),
    ),
    Person(
        "Priscilla Sabajo",
        "priscilla.sabajo@example.nl",
        (("buurtthuis", Role.RESIDENT, P, 4, "Ik wil graag meedenken over het complex."),),
    ),
    Person(
        "Hatice Kaya",
        "hatice.kaya@example.nl",
        (("buurtthuis", Role.RESIDENT, P, 1, "Ik zoek hulp met brieven en geld."),),
    ),
]

# Residents without e-mail, registered at the desk by staff (Marieke Jansen).
REGISTERED_BY_STAFF = [
    ("Wil Kok", "0546 123 456", "w4", 100),
    ("Ahmet Öztürk", "", "buurtthuis", 40),
]
STAFF_EMAIL = "medewerker@example.nl"

# --- the living room of each house ---------------------------------------------------------------

W4_ROOM_RULES = """\
1. Reserveer de huiskamer eerst. Dat kan hier, of vraag het aan een student.
2. Er mogen niet meer dan 20 mensen tegelijk in de kamer.
3. Ruim zelf op. Zet de stoelen terug en doe de afwas.
4. Om 22.00 uur is iedereen weg. Denk aan de buren.
5. Geen alcohol. Niet roken, ook niet in de tuin.
6. Gaat het niet door? Annuleer dan uiterlijk een dag van tevoren."""

BUURTTHUIS_ROOM_RULES = """\
1. Een medewerker kijkt eerst naar je aanvraag. Je krijgt daarna een e-mail.
2. Er mogen niet meer dan 15 mensen tegelijk in de kamer.
3. Laat de kamer netjes achter. De vuilniszak gaat naar de container.
4. Verkopen of geld vragen mag niet.
5. Om 22.00 uur is iedereen weg."""

ROOMS = {
    "w4": {
        "name": "Huiskamer",
        "description": "De woonkamer van W4, met een grote tafel, een bank en een keuken.",
        "capacity": 20,
        "needs_approval": False,
        "rules": W4_ROOM_RULES,
    },
    "buurtthuis": {
        "name": "Huiskamer",
        "description": "De huiskamer op de begane grond van het complex, met koffie en thee.",
        "capacity": 15,
        "needs_approval": True,
        "rules": BUURTTHUIS_ROOM_RULES,
    },
}
ROOM_RULES_COMMON = {
    "buffer_minutes": 15,
    "min_minutes": 30,
    "max_minutes": 240,
    "min_notice_hours": 2,
    "max_days_ahead": 90,
    "max_per_week": 3,
    "cancel_hours": 24,
}
# Bookable: Monday to Saturday 09:00-22:00, Sunday 12:00-18:00.
ROOM_HOURS = [(d, "09:00", "22:00") for d in range(6)] + [(6, "12:00", "18:00")]

Cat = Booking.Category
BStatus = Booking.Status
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@dataclass(frozen=True)
class DemoBooking:
    """One booking, or a weekly series when `weeks` has more than one week.

    `weeks` count from the Monday of the week the room's bookings were first seeded (0 = that week).
    `booker` is an e-mail address, or the name of a resident registered by staff (booked for them).
    Past ones took place unless their week is in `no_show`.
    """

    house: str
    booker: str
    weeks: tuple[int, ...]
    weekday: int
    start: str
    end: str
    category: str
    title: str
    attendees: int
    public: bool = False
    status: str = BStatus.CONFIRMED
    no_show: tuple[int, ...] = ()
    reason: str = ""  # why it was cancelled or declined
    series: bool = False


NO_SELLING = "Verkopen mag niet in de huiskamer. Vraag het eens bij het buurthuis in de Lindestraat."

# fmt: off  (a table reads better one booking to two lines)
DEMO_BOOKINGS = [
    # W4 (no approval needed)
    DemoBooking(
        "w4",
        "student@example.nl",
        tuple(range(-12, 5)),
        MON,
        "15:30",
        "17:00",
        Cat.CLUB,
        "Huiswerkklas",
        12,
        public=True,
        no_show=(-7,),
        series=True,
    ),
    DemoBooking(
        "w4",
        "coordinator@example.nl",
        tuple(range(-12, 5)),
        THU,
        "19:00",
        "21:00",
        Cat.ACTIVITY,
        "Taalcafé: samen Nederlands praten",
        15,
        public=True,
        series=True,
    ),
    DemoBooking(
        "w4",
        "Wil Kok",
        (-12, -8, -4, 1),
        TUE,
        "19:30",
        "21:30",
        Cat.MEETING,
        "Bewonerscommissie Patrimonium",
        8,
        public=True,
    ),
    DemoBooking(
        "w4",
        "yusuf.alkhatib@example.nl",
        (-6, -5, -4, -3, -2, -1, 2),
        MON,
        "10:00",
        "11:00",
        Cat.OTHER,
        "Praatmaatje: Nederlands oefenen",
        2,
        no_show=(-3,),
    ),
    DemoBooking(
        "w4",
        "bewoner@example.nl",
        (-9,),
        FRI,
        "10:00",
        "12:00",
        Cat.OTHER,
        "Koffie met de buren van nummer 12",
        6,
    ),
    DemoBooking(
        "w4",
        "bewoner@example.nl",
        (1,),
        SAT,
        "14:00",
        "17:00",
        Cat.BIRTHDAY,
        "Verjaardagskoffie van Truus",
        14,
    ),
    DemoBooking(
        "w4",
        "khadija.amrani@example.nl",
        (-5, 3),
        FRI,
        "17:00",
        "20:00",
        Cat.ACTIVITY,
        "Samen koken en eten",
        16,
        public=True,
    ),
    DemoBooking(
        "w4",
        "shanti.ramdin@example.nl",
        (-2,),
        TUE,
        "14:00",
        "15:00",
        Cat.OTHER,
        "Sollicitatiegesprek oefenen",
        3,
        no_show=(-2,),
    ),
    DemoBooking(
        "w4",
        "ayse.yilmaz@example.nl",
        (-10, -6, 3),
        MON,
        "13:00",
        "15:00",
        Cat.CLUB,
        "Breiclub",
        6,
        public=True,
    ),
    DemoBooking(
        "w4",
        "ayse.yilmaz@example.nl",
        (2,),
        MON,
        "13:00",
        "15:00",
        Cat.CLUB,
        "Breiclub",
        6,
        public=True,
        status=BStatus.CANCELLED,
        reason="Ik ben ziek. We gaan een week later verder.",
    ),
    DemoBooking(
        "w4",
        "noor.visser@example.nl",
        (-3, -2, -1, 0, 1, 2),
        FRI,
        "10:00",
        "11:00",
        Cat.ACTIVITY,
        "Stoelyoga voor 60-plussers",
        10,
        public=True,
        no_show=(-1,),
    ),
    # BuurtThuis Wingerd: every booking needs approval; two wait for it.
    DemoBooking(
        "buurtthuis",
        "buiten@example.nl",
        (-10, -6, -2, 2),
        TUE,
        "19:30",
        "21:00",
        Cat.MEETING,
        "Bewonerscommissie Wingerd",
        9,
        public=True,
        no_show=(-6,),
    ),
    DemoBooking(
        "buurtthuis",
        "Ahmet Öztürk",
        tuple(range(-8, 0)),
        MON,
        "10:00",
        "11:00",
        Cat.OTHER,
        "Praatmaatje",
        2,
        no_show=(-4,),
    ),
    DemoBooking(
        "buurtthuis",
        "anouk.smit@example.nl",
        (-7, -3),
        SAT,
        "14:00",
        "17:00",
        Cat.ACTIVITY,
        "Spelletjesmiddag",
        12,
        public=True,
    ),
    DemoBooking(
        "buurtthuis",
        "anouk.smit@example.nl",
        (2,),
        SAT,
        "14:00",
        "17:00",
        Cat.BIRTHDAY,
        "Verjaardag van mijn moeder",
        14,
        status=BStatus.REQUESTED,
    ),
    DemoBooking(
        "buurtthuis",
        "ibrahim.hamdan@example.nl",
        (1,),
        THU,
        "19:00",
        "20:30",
        Cat.MEETING,
        "Overleg bewoners derde verdieping",
        8,
        public=True,
        status=BStatus.REQUESTED,
    ),
    DemoBooking(
        "buurtthuis",
        "ibrahim.hamdan@example.nl",
        (3,),
        SAT,
        "10:00",
        "13:00",
        Cat.OTHER,
        "Tweedehands kledingbeurs",
        15,
        public=True,
        status=BStatus.DECLINED,
        reason=NO_SELLING,
    ),
]
# fmt: on


@dataclass(frozen=True)
class DemoActivity:
    """An activity of W4's programme on each of `weeks` (counted like DemoBooking's weeks);
    `series`: the weeks are one weekly series. `in_room`: in the living room, else at `place`."""

    title: str
    organiser: str
    weeks: tuple[int, ...]
    weekday: int
    start: str
    end: str
    category: str
    description: str
    in_room: bool = True
    place: str = ""
    audience: str = Audience.EVERYONE
    capacity: int | None = None
    signup: bool = False
    series: bool = False
    partner: str = ""
    signups: tuple[str, ...] = ()
    walk_ins: int = 0


ActCat = Category
DEMO_ACTIVITIES = [
    DemoActivity(
        "Koffieochtend",
        "student@example.nl",
        tuple(range(-4, 5)),
        TUE,
        "10:00",
        "11:30",
        ActCat.COFFEE,
        "Koffie, thee en iets lekkers. Even bijpraten met de buren. Iedereen is welkom.",
        capacity=12,
        signup=True,
        series=True,
        signups=("bewoner@example.nl", "ayse.yilmaz@example.nl"),
        walk_ins=4,
    ),
    DemoActivity(
        "Praatmaatje-uur",
        "noor.visser@example.nl",
        (0, 1, 2),
        THU,
        "14:00",
        "15:00",
        ActCat.LANGUAGE,
        "Nederlands oefenen in een gesprek, in je eigen tempo. Samen met een vrijwilliger.",
        capacity=6,
        signup=True,
        partner="welfare",
        signups=("khadija.amrani@example.nl",),
    ),
    DemoActivity(
        "Sporten in het park",
        "student@example.nl",
        (0, 1),
        SAT,
        "10:00",
        "11:00",
        ActCat.SPORT,
        "Rustig bewegen in de buitenlucht, voor elke leeftijd. Bij regen gaat het niet door.",
        in_room=False,
        place="Noorderplantsoen, bij de ingang aan de Kruissingel",
    ),
    DemoActivity(
        "Versieringsmiddag",
        "noor.visser@example.nl",
        (1,),
        WED,
        "14:00",
        "16:30",
        ActCat.CREATIVE,
        "Samen de huiskamer versieren voor de feestdagen. Neem gerust iets mee.",
        capacity=10,
        signup=True,
        signups=("bewoner@example.nl",),
    ),
    DemoActivity(
        "Meet & greet",
        "coordinator@example.nl",
        (2,),
        FRI,
        "19:00",
        "21:00",
        ActCat.NEIGHBOURHOOD,
        "Kennismaken met nieuwe en oude buren. Met hapjes uit verschillende keukens.",
        partner="welfare",
    ),
    DemoActivity(
        "Buurtoverleg",
        "coordinator@example.nl",
        (-2,),
        MON,
        "19:30",
        "21:00",
        ActCat.NEIGHBOURHOOD,
        "Wat willen we dit voorjaar doen? De uitslag van de peiling en nieuwe ideeën.",
        audience=Audience.MEMBERS,
        walk_ins=9,
    ),
]

DEMO_ACCOUNTS = [
    "bewoner@example.nl",
    "student@example.nl",
    "coordinator@example.nl",
    "medewerker@example.nl",
    "wethouder@example.nl",
    "buiten@example.nl",
]


def _at(days_ago: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


class Seeder:
    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self.orgs: dict[str, Organisation] = {}
        self.houses: dict[str, House] = {}

    def run(self) -> Counter[str]:
        with transaction.atomic():
            self.organisations()
            self.houses_and_hours()
            staff = None
            for person in PEOPLE:
                user = self.account(person)
                if person.email == STAFF_EMAIL:
                    staff = user
                for slug, role, status, days_ago, motivation in person.memberships:
                    self.membership(user, slug, role, status, days_ago, motivation, person, staff)
            for name, phone, slug, days_ago in REGISTERED_BY_STAFF:
                self.registered(name, phone, slug, days_ago, staff)
            for slug in ROOMS:
                self.room_and_bookings(slug, staff)
            self.programme(staff)
            self.duties()
            from wijkhuis.demo_ideas import seed_ideas

            self.created.update(seed_ideas(self.houses))
            from wijkhuis.demo_news import seed_news

            self.created.update(seed_news(self.houses))
            from wijkhuis.demo_history import seed_history

            self.created.update(seed_history(self.houses))
            from wijkhuis.demo_care import seed_care

            self.created.update(seed_care(self.houses))
        return self.created

    def _count(self, what: str, created: bool) -> None:
        if created:
            self.created[what] += 1

    def organisations(self) -> None:
        for key, data in ORGANISATIONS.items():
            org, created = Organisation.objects.update_or_create(
                name=data["name"], defaults={k: v for k, v in data.items() if k != "name"}
            )
            self.orgs[key] = org
            self._count("organisations", created)

    def houses_and_hours(self) -> None:
        today = timezone.localdate()
        for slug, data in HOUSES.items():
            start = today - dt.timedelta(days=round(data["pilot_months_ago"] * 30.4))
            fields = (
                "name",
                "street",
                "postcode",
                "city",
                "district",
                "description",
                "house_rules",
                "opening_note",
                "households_in_area",
            )
            house, created = House.objects.update_or_create(
                slug=slug,
                defaults={**{f: data[f] for f in fields}, "owner": self.orgs["corporation"]},
                create_defaults={
                    **{f: data[f] for f in fields},
                    "owner": self.orgs["corporation"],
                    "pilot_start": start,
                    "pilot_end": start + dt.timedelta(days=364),
                },
            )
            self.houses[slug] = house
            self._count("houses", created)
            house.partners.add(*(self.orgs[key] for key in data["partners"]))
            for weekday, opens, closes, label in data["hours"]:
                _, created = OpeningHours.objects.update_or_create(
                    house=house,
                    weekday=weekday,
                    opens=dt.time.fromisoformat(opens),
                    defaults={"closes": dt.time.fromisoformat(closes), "label": label},
                )
                self._count("opening hours", created)

    def account(self, person: Person) -> User:
        user = User.objects.filter(email__iexact=person.email).first()
        if user is None:
            user = User.objects.create_user(
                email=person.email,
                password=PASSWORD,
                name=person.name,
                language=person.language,
                date_joined=_at(max(d for *_, d, _m in person.memberships) + 1),
            )
            self._count("accounts", True)
        address, created = EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        if not (address.verified and address.primary):
            address.verified = address.primary = True
            address.save(update_fields=["verified", "primary"])
        self._count("verified e-mail addresses", created)
        return user

    def membership(self, user, slug, role, status, days_ago, motivation, person, staff) -> None:
        house = self.houses[slug]
        requested = _at(days_ago)
        decided = _at(days_ago - 1, 14) if status != Status.PENDING else None
        by = staff if role in (Role.RESIDENT, Role.STUDENT) and status != Status.PENDING else None
        membership, created = Membership.objects.get_or_create(
            user=user,
            house=house,
            role=role,
            defaults={
                "status": status,
                "motivation": motivation,
                "organisation": self.orgs[person.organisation] if person.organisation else None,
                "requested_at": requested,
                "decided_at": decided,
                "decided_by": by,
                "decision_note": (
                    "Je woont niet in de buurt van W4. De woonkamer is niet te huur voor bedrijven."
                    if status == Status.DECLINED
                    else ""
                ),
            },
        )
        self._count("memberships", created)
        if not created:
            return
        if role == Role.RESIDENT:
            record("membership.requested", actor=user, target=membership)
            if status != Status.PENDING:
                action = "membership.verified" if status == Status.ACTIVE else "membership.declined"
                record(
                    action,
                    actor=by,
                    target=membership,
                    changes={"status": [Status.PENDING, status]},
                )
        else:
            record(
                "membership.granted",
                actor=None,
                target=membership,
                changes={"role": role, "status": status},
            )
        self.created["audit events"] += 2 if role == Role.RESIDENT and decided else 1

    def registered(self, name, phone, slug, days_ago, staff) -> None:
        house = self.houses[slug]
        when = _at(days_ago, 11)
        person, created = User.objects.get_or_create(
            name=name,
            email=None,
            registered_by=staff,
            defaults={"phone": phone, "date_joined": when},
        )
        if created:
            person.set_unusable_password()
            person.save(update_fields=["password"])
            self._count("people registered by staff", True)
        membership, m_created = Membership.objects.get_or_create(
            user=person,
            house=house,
            role=Role.RESIDENT,
            defaults={
                "status": Status.ACTIVE,
                "requested_at": when,
                "decided_at": when,
                "decided_by": staff,
            },
        )
        self._count("memberships", m_created)
        if created:
            record("person.registered", actor=staff, on_behalf_of=person, target=person, house=house)
            self.created["audit events"] += 1
        if m_created:
            record("membership.verified", actor=staff, on_behalf_of=person, target=membership)
            self.created["audit events"] += 1

    def room_and_bookings(self, slug: str, staff: User) -> None:
        house = self.houses[slug]
        data = ROOMS[slug]
        room, created = Room.objects.get_or_create(
            house=house, name=data["name"], defaults={**ROOM_RULES_COMMON, **data}
        )
        self._count("rooms", created)
        if created:
            record("room.created", actor=staff, target=room, house=house)
            self.created["audit events"] += 1
        for weekday, opens, closes in ROOM_HOURS:
            _, created = RoomHours.objects.get_or_create(
                room=room,
                weekday=weekday,
                opens=dt.time.fromisoformat(opens),
                defaults={"closes": dt.time.fromisoformat(closes)},
            )
            self._count("bookable hours", created)
        christmas = dt.date(timezone.localdate().year, 12, 24)
        _, created = RoomClosure.objects.get_or_create(
            room=room,
            first_day=christmas,
            last_day=christmas + dt.timedelta(days=2),
            defaults={"reason": "Kerst: het huis is dicht"},
        )
        self._count("closed periods", created)

        specs = [b for b in DEMO_BOOKINGS if b.house == slug]
        monday = self._booking_weeks(room)
        closed = list(room.closures.all())
        now = timezone.now()
        for spec in specs:
            booker = self._booker(spec.booker, staff)
            series = None
            for week in spec.weeks:
                day = monday + dt.timedelta(weeks=week, days=spec.weekday)
                if any(c.first_day <= day <= c.last_day for c in closed):
                    continue
                start = make_local(day, dt.time.fromisoformat(spec.start))
                end = make_local(day, dt.time.fromisoformat(spec.end))
                if Booking.objects.filter(room=room, booker=booker, period__startswith=start).exists():
                    continue
                if spec.series and series is None:
                    series = BookingSeries.objects.filter(
                        room=room, booker=booker
                    ).first() or BookingSeries.objects.create(
                        room=room,
                        booker=booker,
                        frequency=BookingSeries.Frequency.WEEKLY,
                        created_at=min(now, start - dt.timedelta(days=7)),
                    )
                self._booking(room, spec, booker, staff, start, end, week, series, now)

    def _booking_weeks(self, room: Room) -> dt.date:
        """The Monday the demo's weeks count from: the week the room was made (this week at first)."""
        made = (
            AuditEvent.objects.filter(
                action="room.created",
                target_type=ContentType.objects.get_for_model(Room),
                target_id=str(room.pk),
            )
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        return week_start(timezone.localdate(made) if made else timezone.localdate())

    def _booker(self, key: str, staff: User) -> User:
        if "@" in key:
            return User.objects.get(email__iexact=key)
        return User.objects.get(name=key, registered_by=staff)

    def _booking(self, room, spec, booker, staff, start, end, week, series, now) -> None:
        blocked = DateTimeTZRange(start, end + room.buffer)
        past = end <= now
        status = spec.status
        live = status in Booking.LIVE
        if live and Booking.objects.live().filter(room=room, blocked__overlap=blocked).exists():
            return  # someone booked this time in the demo already; never double-book
        by_staff = "@" not in spec.booker
        created_at = min(now - dt.timedelta(hours=1), start - dt.timedelta(days=10))
        booking = Booking(
            room=room,
            booker=booker,
            created_by=staff if by_staff else booker,
            series=series,
            period=DateTimeTZRange(start, end),
            blocked=blocked,
            category=spec.category,
            title=spec.title,
            attendees=spec.attendees,
            is_public=spec.public,
            status=status,
            rules_version=room.rules_version,
            created_at=created_at,
        )
        if room.needs_approval and status in (BStatus.CONFIRMED, BStatus.DECLINED):
            booking.decided_by = staff
            booking.decided_at = min(created_at + dt.timedelta(days=1), now - dt.timedelta(minutes=30))
            booking.decision_reason = spec.reason if status == BStatus.DECLINED else ""
        if status == BStatus.CANCELLED:
            booking.cancelled_by = booker
            booking.cancelled_at = min(now - dt.timedelta(minutes=30), start - dt.timedelta(days=3))
            booking.cancel_reason = spec.reason
        if past and status == BStatus.CONFIRMED:
            booking.took_place = week not in spec.no_show
        booking.save()
        self._count("bookings", True)
        action = {
            BStatus.CONFIRMED: "booking.confirmed",
            BStatus.REQUESTED: "booking.requested",
            BStatus.DECLINED: "booking.declined",
            BStatus.CANCELLED: "booking.cancelled",
        }[status]
        record(
            action,
            actor=staff if by_staff or status == BStatus.DECLINED else booker,
            on_behalf_of=booker if by_staff else None,
            target=booking,
            house=room.house,
        )
        self.created["audit events"] += 1

    # --- the programme of activities ---------------------------------------------------------

    def programme(self, staff: User) -> None:
        """W4's programme: a weekly coffee morning (a series), a talk-buddy hour, sport in the park,
        a decoration afternoon, a meet & greet, some past ones, and a few sign-ups. Keyed on house,
        title and start, so a second run adds nothing."""
        house = self.houses["w4"]
        room = Room.objects.get(house=house, name=ROOMS["w4"]["name"])
        monday = self._booking_weeks(room)
        now = timezone.now()
        series = None
        for spec in DEMO_ACTIVITIES:
            organiser = User.objects.get(email__iexact=spec.organiser)
            if spec.series and series is None:
                first = monday + dt.timedelta(weeks=spec.weeks[0], days=spec.weekday)
                series, created = ActivitySeries.objects.get_or_create(
                    house=house,
                    title=spec.title,
                    defaults={
                        "frequency": BookingSeries.Frequency.WEEKLY,
                        "first_day": first,
                        "last_day": first + dt.timedelta(weeks=len(spec.weeks) - 1),
                        "start_time": dt.time.fromisoformat(spec.start),
                        "end_time": dt.time.fromisoformat(spec.end),
                        "room": room if spec.in_room else None,
                        "place": spec.place,
                        "description": spec.description,
                        "category": spec.category,
                        "capacity": spec.capacity,
                        "signup_required": spec.signup,
                        "created_by": organiser,
                        "created_at": min(now, make_local(first, dt.time(9)) - dt.timedelta(days=7)),
                    },
                )
                self._count("series of activities", created)
            for week in spec.weeks:
                day = monday + dt.timedelta(weeks=week, days=spec.weekday)
                start = make_local(day, dt.time.fromisoformat(spec.start))
                end = make_local(day, dt.time.fromisoformat(spec.end))
                if Activity.objects.filter(house=house, title=spec.title, period__startswith=start).exists():
                    continue
                self._activity(house, room, spec, organiser, start, end, series if spec.series else None, now)

    def _activity(self, house, room, spec, organiser, start, end, series, now) -> None:
        created_at = min(now - dt.timedelta(hours=1), start - dt.timedelta(days=10))
        booking = None
        if spec.in_room:
            blocked = DateTimeTZRange(start, end + room.buffer)
            if Booking.objects.live().filter(room=room, blocked__overlap=blocked).exists():
                return  # the demo's bookings hold this time; never double-book
            booking = Booking.objects.create(
                room=room,
                booker=organiser,
                created_by=organiser,
                period=DateTimeTZRange(start, end),
                blocked=blocked,
                category=Booking.Category.ACTIVITY,
                title=spec.title[:80],
                attendees=min(spec.capacity or room.capacity, room.capacity),
                is_public=spec.audience == Audience.EVERYONE,
                status=BStatus.CONFIRMED,
                rules_version=room.rules_version,
                took_place=True if end <= now else None,
                created_at=created_at,
            )
            record("booking.confirmed", actor=organiser, target=booking, house=house)
            self._count("bookings", True)
            self.created["audit events"] += 1
        past = end <= now
        activity = Activity.objects.create(
            house=house,
            series=series,
            booking=booking,
            place="" if spec.in_room else spec.place,
            period=DateTimeTZRange(start, end),
            title=spec.title,
            description=spec.description,
            category=spec.category,
            audience=spec.audience,
            capacity=spec.capacity,
            signup_required=spec.signup,
            partner=self.orgs[spec.partner] if spec.partner else None,
            walk_ins=spec.walk_ins if past else None,
            attendance_recorded_at=end + dt.timedelta(hours=1) if past else None,
            attendance_recorded_by=organiser if past else None,
            created_by=organiser,
            created_at=created_at,
        )
        activity.organisers.add(organiser)
        record("activity.created", actor=organiser, target=activity, house=house)
        self._count("activities", True)
        self.created["audit events"] += 1
        if spec.signup:
            for email in spec.signups:
                person = User.objects.get(email__iexact=email)
                Signup.objects.create(
                    activity=activity,
                    person=person,
                    status=Signup.Status.CONFIRMED,
                    created_at=created_at + dt.timedelta(days=1),
                    attended=True if past else None,
                )
                self._count("sign-ups", True)

    # --- students' duties, obligations and hours ------------------------------------------------

    def duties(self) -> None:
        """W4's students: 96 hours over the pilot year each, three duties (two taken), and hour logs:
        approved ones every fortnight since the pilot began, and two waiting for review. Keyed on
        student and house and first day (obligations), house and title (duties), student and start
        (hour logs), so a second run adds nothing."""
        from duties.models import Duty, DutyAssignment, HourLog, Obligation

        house = self.houses["w4"]
        coordinator = User.objects.get(email__iexact="coordinator@example.nl")
        students = [User.objects.get(email__iexact=e) for e in DEMO_STUDENTS]
        today = timezone.localdate()
        first, last = house.pilot_start or today, house.pilot_end or today + dt.timedelta(days=364)
        for student in students:
            _, created = Obligation.objects.get_or_create(
                student=student,
                house=house,
                first_day=first,
                defaults={"last_day": last, "hours_required": 96, "set_by": coordinator},
            )
            self._count("obligations", created)
        coffee = (
            Activity.objects.planned()
            .filter(house=house, title="Koffieochtend", period__startswith__gte=timezone.now())
            .order_by("period")
            .first()
        )
        coffee_day = (
            timezone.localdate(coffee.start)
            if coffee
            else today + dt.timedelta(days=(1 - today.weekday()) % 7)
        )
        specs = [
            {
                "title": "Gastvrouw/gastheer koffieochtend",
                "description": "Koffie en thee zetten, mensen welkom heten, na afloop opruimen.",
                "first_day": coffee_day,
                "weekly": True,
                "last_day": max(last, coffee_day),
                "start_time": dt.time(9, 45),
                "end_time": dt.time(12, 0),
                "students_needed": 2,
                "expected_minutes": 135,
                "activity": coffee,
            },
            {
                "title": "Koffiekrant schrijven",
                "description": (
                    "Een stukje voor de koffiekrant: nieuws uit de buurt, een recept of een interview."
                ),
                "first_day": today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7),
                "weekly": True,
                "last_day": max(last, today + dt.timedelta(days=14)),
                "students_needed": 1,
                "expected_minutes": 90,
            },
            {
                "title": "Bezoek aan mevrouw De Boer",
                "description": "Een kopje koffie en een praatje bij mevrouw De Boer (Witmondplein 9).",
                "first_day": today + dt.timedelta(days=5),
                "start_time": dt.time(14, 0),
                "end_time": dt.time(15, 0),
                "students_needed": 1,
                "expected_minutes": 60,
            },
        ]
        duties = {}
        for spec in specs:
            duty, created = Duty.objects.get_or_create(
                house=house,
                title=spec["title"],
                defaults={**{k: v for k, v in spec.items() if k != "title"}, "created_by": coordinator},
            )
            duties[spec["title"]] = duty
            self._count("duties", created)
        for student, title in (
            (students[0], "Gastvrouw/gastheer koffieochtend"),
            (students[1], "Koffiekrant schrijven"),
        ):
            _, created = DutyAssignment.objects.get_or_create(
                duty=duties[title], student=student, status=DutyAssignment.Status.ACTIVE
            )
            self._count("duties taken", created)
        what = [
            "Gastvrouw bij de koffieochtend",
            "Stukje voor de koffiekrant",
            "Sporten in het park begeleid",
        ]
        for hour, student in ((10, students[0]), (14, students[1])):
            days_ago = [*range(9, max((today - first).days, 10), 14), 2, 5]
            for n, ago in enumerate(days_ago):
                day = today - dt.timedelta(days=ago)
                start, end = make_local(day, dt.time(hour)), make_local(day, dt.time(hour + 2))
                if HourLog.objects.filter(student=student, period__startswith=start).exists():
                    continue
                pending = ago in (2, 5)
                HourLog.objects.create(
                    student=student,
                    house=house,
                    period=DateTimeTZRange(start, end),
                    minutes=int((end - start).total_seconds() // 60),
                    what=what[n % len(what)],
                    status=HourLog.Status.SUBMITTED if pending else HourLog.Status.APPROVED,
                    reviewer=None if pending else coordinator,
                    reviewed_at=None if pending else end + dt.timedelta(days=1),
                    created_at=end,
                )
                self._count("hour logs", True)


DEMO_STUDENTS = ["student@example.nl", "noor.visser@example.nl"]


def seed() -> Counter[str]:
    """Create or complete the demo data; returns how many rows of each kind were new."""
    return Seeder().run()
