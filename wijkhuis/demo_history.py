"""A pilot year behind the demo, so the aldermen's summary has something real to show.

From each house's pilot start up to where the hand-made demo (wijkhuis.demo) begins, the pilot
starts small and grows month by month: neighbours join (some registered at the desk, without
e-mail), the weekly coffee morning and more and more other activities take place (with their
booking of the living room, sign-ups, attendance and walk-ins), residents book the room for
their own clubs, parties and meetings (a few do not turn up), students log their hours, ideas
are proposed and some carried out, polls close, news is posted and the koffiekrant appears every
week. W4 gets a year of it; BuurtThuis Wingerd, whose pilot is younger, a lighter one. For W4
there are also targets for the pilot and two stories with quotes.

Where it ends: residents' own bookings stop where the demo's bookings of the room begin, the
activities where the demo's programme begins (W4) or at the demo's week (Wingerd, which has no
programme). Every date counts from the house's pilot start and the Monday the demo counts its
weeks from (Seeder._booking_weeks), both fixed once seeded, so a later run plans the same rows.
A planned row that would clash with one already there (a booking of the room, a student's hour
log) is left out; everything is keyed on natural keys (house + title + start, room + booker +
start, e-mail address, ...), so a second run creates nothing. random.Random with a fixed seed
per house makes the same plan every time; the plan is made in full before the database is
asked what exists, so what exists never changes the plan.

Called from wijkhuis.demo.Seeder.run() after the other steps:
    self.created.update(seed_history(self.houses))
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils.timezone import localtime

from activities.models import (
    Activity,
    Audience,
    Booking,
    Category,
    Idea,
    IdeaSupport,
    Poll,
    PollBallot,
    PollOption,
    Room,
    Signup,
)
from activities.timeutil import make_local, week_start
from duties.models import HourLog
from news import koffiekrant
from news import services as news_services
from news.models import Issue, Post
from residents.audit import changing_the_trail
from residents.models import AuditEvent, House, Membership, Organisation, Role, User
from summary.models import Quote, Story, Target, TargetFigure

STAFF = "medewerker@example.nl"
COORDINATOR = "coordinator@example.nl"
DAAN = "student@example.nl"
NOOR = "noor.visser@example.nl"

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
PILOT_DAYS = 364
MONTH = 30.4  # days in a pilot month
Cat = Booking.Category

MONTH_NAMES = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]

# --- the neighbours --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Neighbour:
    """A resident who joins during the pilot; without e-mail: registered at the desk by staff."""

    name: str
    email: bool = True
    language: str = "nl"


N = Neighbour
# The first ones join in the first weeks of the pilot (they run clubs and propose ideas early on).
W4_NEIGHBOURS = [
    N("Gerda Mulder"),
    N("Cor van Dijk"),
    N("Emine Çelik"),
    N("Ruud Jacobs"),
    N("Kees Prins"),
    N("Sanne de Graaf"),
    N("Riek de Boer", email=False),
    N("Said Benali"),
    N("Marcia Wijngaarde"),
    N("Joke Meijer"),
    N("Hasan Aydın"),
    N("Jan Smits", email=False),
    N("Naima El Khattabi"),
    N("Agnieszka Nowak", language="en"),
    # Then the others, over the year.
    N("Piet Hendriks"),
    N("Zeynep Arslan"),
    N("Sharmila Jagesar"),
    N("Bep Dekker", email=False),
    N("Lina Kassab", language="en"),
    N("Thijs van Wijk"),
    N("Samira Bakkali"),
    N("Ria Koster"),
    N("Glenn Doelwijt"),
    N("Omar Al-Masri"),
    N("Els Vermeulen"),
    N("Mustafa Şahin"),
    N("Rachida Bouzid", email=False),
    N("Femke Schouten"),
    N("Senait Tesfay"),
    N("Wim Post"),
    N("Maria Latuheru"),
    N("Youssef Azzouzi"),
    N("Tineke Huisman"),
    N("Kwame Mensah", language="en"),
    N("Gré Timmermans", email=False),
    N("Elif Koç"),
    N("Bas van den Berg"),
    N("Hodan Abdi"),
    N("Ilse Kromodikoro"),
    N("Tomasz Kowalski", language="en"),
    N("Karima Tahiri"),
    N("Dirk Hoogland"),
    N("Olena Kovalenko", language="en"),
    N("Ali Yıldırım", email=False),
    N("Mieke Veenstra"),
    N("Jurgen Martina"),
    N("Fatma Yıldız"),
    N("Roos van Beek"),
    N("Abdirahman Warsame"),
    N("Ingrid Willems"),
    N("Mei Chen"),
    N("Hamid Bouchta"),
    N("Toos van der Linden", email=False),
    N("Nina Hermans"),
    N("Yonas Gebremedhin"),
    N("Rosita Koeiman"),
    N("Farida Ahmadi"),
    N("Mark Visscher"),
    N("Abena Owusu"),
    N("Lien Mahabier", email=False),
    N("Osman Doğan"),
    N("Annie Brouwer"),
    N("Johnny Pattipeilohy"),
    N("Hiba Darwish", language="en"),
    N("Jeroen Wolters"),
    N("Ana Semedo"),
    N("Herman Wouters", email=False),
    N("Marta Wiśniewska"),
    N("Ahmad Rahimi"),
    N("Sandra Peters"),
    N("Abdelkader Ouali"),
    N("Lotte Bakker"),
]
W4_LAUNCH = 14

WINGERD_NEIGHBOURS = [
    N("Petra van Rijn"),
    N("Nadia Belhaj"),
    N("Corrie Evers", email=False),
    N("Tolga Erdem"),
    N("Ewa Zielińska", language="en"),
    N("Michel Groen"),
    N("Sevda Kılıç"),
    N("Jan Kramer", email=False),
    N("Desiree Vos"),
    N("Abdullahi Hassan"),
    N("Layla Mansour", language="en"),
    N("Rob de Wit"),
    N("Sultan Akgül", email=False),
    N("Esther Boateng"),
    N("Peter Hofman"),
    N("Mila Jovanović"),
]
WINGERD_LAUNCH = 5

MOTIVATIONS = [
    "Ik woon om de hoek.",
    "Ik kom graag naar de koffieochtend.",
    "Ik wil mijn buren beter leren kennen.",
    "Ik wil graag helpen in de buurt.",
    "Ik wil Nederlands oefenen.",
    "Mijn kinderen willen graag naar de knutselmiddag.",
    "Ik wil de huiskamer reserveren voor een verjaardag.",
    "Ik zoek iets te doen overdag.",
    "Ik kan goed dingen repareren. Misschien kan ik helpen.",
    "Ik woon al dertig jaar in deze buurt.",
    "Mijn buurvrouw vertelde erover.",
    "Ik heb de flyer gekregen.",
    "Ik ben net verhuisd en ken hier nog niemand.",
    "",
]

# --- the programme ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Regular:
    """An activity that comes back. `cadence`: (from pilot month, every n weeks), the last one that
    has started counts, so an activity can start monthly and become weekly. `phase` shifts the weeks
    of a fortnightly or monthly one. No `place`: in the living room (with a booking)."""

    title: str
    weekday: int
    start: str
    end: str
    category: str
    description: str
    organiser: str  # e-mail address, or the name of a neighbour
    cadence: tuple[tuple[int, int], ...]
    visitors: tuple[int, int]  # people expected at the start and at the end of the pilot
    place: str = ""
    audience: str = Audience.EVERYONE
    capacity: int | None = None
    signup: bool = False
    partner: str = ""
    phase: int = 0
    months: tuple[int, ...] = ()  # calendar months it runs in (empty: all year)
    log: str = ""  # a student organiser logs hours with this text...
    log_every: int = 1  # ...for every n-th time (volunteers host the others)
    rain: bool = False  # outdoors: now and then cancelled for the weather
    announce: tuple[str, str] | None = None  # a news post a week before the first one: title, text


@dataclass(frozen=True)
class Special:
    """Once a year: `day(year)` gives the date (None: not that year)."""

    title: str
    month: int
    rule: tuple[int, int]  # (weekday, n): the n-th such weekday of the month
    start: str
    end: str
    category: str
    description: str
    visitors: int
    place: str = ""
    signup: bool = False
    capacity: int | None = None
    announce: str = ""  # a news post a week before


COFFEE_TEXT = "Koffie, thee en iets lekkers. Even bijpraten met de buren. Iedereen is welkom."
PRAAT_TEXT = "Nederlands oefenen in een gesprek, in je eigen tempo. Samen met een vrijwilliger."
MONEY_TEXT = (
    "Vragen over rekeningen, brieven of schulden? Een medewerker van Schuldhulp Samen helpt je. "
    "Het is gratis en we vertellen het aan niemand door."
)
PARK = "Noorderplantsoen, bij de ingang aan de Kruissingel"
SQUARE = "Witmondplein, voor W4"

W4_REGULARS = [
    Regular(
        "Koffieochtend",
        TUE,
        "10:00",
        "11:30",
        Category.COFFEE,
        COFFEE_TEXT,
        NOOR,
        ((0, 1),),
        (5, 15),
        capacity=12,
        signup=True,
        log="Gastvrouw bij de koffieochtend",
        log_every=3,
    ),
    Regular(
        "Buurtoverleg",
        MON,
        "19:30",
        "21:00",
        Category.NEIGHBOURHOOD,
        "Wat gaat goed in de buurt en wat kan beter? We praten erover en maken samen plannen.",
        COORDINATOR,
        ((0, 4),),
        (5, 14),
        audience=Audience.MEMBERS,
        phase=2,
    ),
    Regular(
        "Praatmaatje-uur",
        THU,
        "14:00",
        "15:00",
        Category.LANGUAGE,
        PRAAT_TEXT,
        COORDINATOR,
        ((1, 4), (4, 2), (7, 1)),
        (2, 6),
        capacity=6,
        signup=True,
        partner="welfare",
        phase=1,
        announce=(
            "Nieuw: het Praatmaatje-uur",
            "Wil je beter Nederlands leren praten? Kom naar het Praatmaatje-uur op donderdagmiddag. "
            "Je praat met een vrijwilliger van Welzijn Patrimonium, in je eigen tempo. Je hoeft "
            "niets voor te bereiden. Meld je aan, want er zijn zes plaatsen.",
        ),
    ),
    Regular(
        "Knutselmiddag",
        WED,
        "14:00",
        "16:00",
        Category.CREATIVE,
        "Samen iets moois maken met papier, verf of wol. Voor kinderen en volwassenen. Wij zorgen "
        "voor de spullen.",
        DAAN,
        ((1, 4), (5, 2)),
        (3, 9),
        capacity=10,
        signup=True,
        phase=3,
        log="Knutselmiddag voorbereid en begeleid",
        log_every=2,
    ),
    Regular(
        "Bewegen op de stoel",
        WED,
        "10:00",
        "11:00",
        Category.SPORT,
        "Rustig bewegen op een stoel, met muziek. Goed voor je spieren en je balans. Iedereen kan meedoen.",
        NOOR,
        ((2, 2), (6, 1)),
        (4, 11),
        capacity=12,
        signup=True,
        log="Bewegen op de stoel begeleid",
        log_every=4,
        announce=(
            "Bewegen op de stoel: doe je mee?",
            "Op woensdagochtend bewegen we op een stoel, met muziek. Het is rustig en gezellig. "
            "Je hoeft geen sportkleren aan. Noor doet de oefeningen voor. Na afloop is er koffie.",
        ),
    ),
    Regular(
        "Spreekuur geldzaken",
        FRI,
        "14:00",
        "15:30",
        Category.ADVICE,
        MONEY_TEXT,
        COORDINATOR,
        ((2, 4), (6, 2)),
        (2, 5),
        partner="debt_help",
        phase=1,
        announce=(
            "Hulp bij geldzaken in W4",
            "Heb je vragen over rekeningen, brieven of schulden? Kom naar het spreekuur van "
            "Schuldhulp Samen in de huiskamer. Het is gratis. Je hoeft je niet aan te melden, en wat "
            "je vertelt, blijft tussen jou en de medewerker.",
        ),
    ),
    Regular(
        "Sporten in het park",
        SAT,
        "10:00",
        "11:00",
        Category.SPORT,
        "Rustig bewegen in de buitenlucht, voor elke leeftijd. Bij regen gaat het niet door.",
        DAAN,
        ((3, 2), (7, 1)),
        (3, 10),
        place=PARK,
        months=(3, 4, 5, 6, 7, 8, 9, 10),
        rain=True,
    ),
    Regular(
        "Filmavond",
        FRI,
        "19:00",
        "21:30",
        Category.OTHER,
        "Samen een film kijken in de huiskamer, met popcorn en thee. Welke film? Dat kiezen we samen.",
        DAAN,
        ((4, 4),),
        (8, 14),
        capacity=15,
        signup=True,
        phase=2,
        log="Filmavond georganiseerd",
    ),
    Regular(
        "Repair Café",
        SAT,
        "13:00",
        "16:00",
        Category.OTHER,
        "Is je lamp, fiets of broek kapot? Buren met handige handen helpen je om het te maken. Gooi het "
        "niet weg!",
        "Kees Prins",
        ((6, 4),),
        (6, 14),
        phase=1,
        announce=(
            "Repair Café: breng je kapotte spullen mee",
            "Een kapotte lamp, een fiets met een lekke band of een broek met een gat? Gooi het niet "
            "weg. Bij het Repair Café helpen buren je om het te maken. Kees Prins had het idee en "
            "zoekt nog meer handige buren.",
        ),
    ),
    Regular(
        "Spreekuur energie besparen",
        TUE,
        "14:00",
        "15:30",
        Category.ADVICE,
        "Een energiecoach geeft tips voor een lagere energierekening. Neem je jaarafrekening mee als "
        "je die hebt.",
        COORDINATOR,
        ((1, 4),),
        (3, 7),
        months=(10, 11, 12, 1, 2, 3),
        phase=2,
    ),
]

W4_SPECIALS = [
    Special(
        "Open huis in W4",
        0,
        (SAT, 1),
        "14:00",
        "17:00",
        Category.NEIGHBOURHOOD,
        "Kom kijken in de woonkamer van W4. Maak kennis met Daan en Noor en vertel wat jij graag "
        "zou willen doen in de buurt.",
        18,
    ),
    Special(
        "Nieuwjaarsborrel",
        1,
        (SAT, 2),
        "15:00",
        "17:00",
        Category.COFFEE,
        "We beginnen het jaar samen, met iets te drinken en oliebollen.",
        20,
    ),
    Special(
        "Pannenkoeken bakken",
        2,
        (SAT, 3),
        "14:00",
        "16:30",
        Category.OTHER,
        "We bakken samen pannenkoeken en eten ze natuurlijk ook op. Voor jong en oud.",
        16,
        signup=True,
        capacity=16,
    ),
    Special(
        "NLdoet: samen klussen rond het huis",
        3,
        (SAT, 2),
        "10:00",
        "13:00",
        Category.NEIGHBOURHOOD,
        "We maken de tuin en de stoep rond W4 mooi. Neem werkhandschoenen mee als je die hebt.",
        12,
        place=SQUARE,
        announce="Doe mee met NLdoet",
    ),
    Special(
        "Paaseieren zoeken",
        4,
        (SAT, 1),
        "11:00",
        "12:30",
        Category.OTHER,
        "Voor kinderen tot 10 jaar: zoek de eieren in de tuin. Daarna is er limonade.",
        20,
        place="Tuin van W4",
    ),
    Special(
        "Plantenbakken vullen",
        5,
        (SAT, 2),
        "10:00",
        "12:00",
        Category.NEIGHBOURHOOD,
        "We vullen de plantenbakken op het plein met bloemen en kruiden. Iedereen mag helpen.",
        14,
        place=SQUARE,
        announce="Help mee: bloemen voor het plein",
    ),
    Special(
        "Buurtbarbecue",
        6,
        (SAT, 3),
        "17:00",
        "20:00",
        Category.OTHER,
        "Een barbecue op het plein, met halal en vegetarisch eten. Neem een salade of een toetje mee.",
        45,
        place=SQUARE,
        signup=True,
        capacity=60,
        announce="Buurtbarbecue op het plein",
    ),
    Special(
        "Zomerspelen op het plein",
        7,
        (WED, 2),
        "14:00",
        "16:00",
        Category.SPORT,
        "Spelletjes voor kinderen op het plein: stoepkrijt, touwtjespringen en een waterspel.",
        25,
        place=SQUARE,
    ),
    Special(
        "Uitje naar het buitenbad",
        8,
        (THU, 2),
        "13:00",
        "17:00",
        Category.SPORT,
        "We gaan samen naar Buitenbad De Vaart. De entree is gratis. Kinderen gaan mee met een volwassene.",
        18,
        place="Buitenbad De Vaart",
        signup=True,
        capacity=20,
        announce="Samen naar het buitenbad",
    ),
    Special(
        "Burendag",
        9,
        (SAT, 4),
        "11:00",
        "15:00",
        Category.NEIGHBOURHOOD,
        "Burendag op het Witmondplein: koffie, muziek, een rommelmarkt en soep. Iedereen is welkom.",
        55,
        place=SQUARE,
        announce="Burendag op het Witmondplein",
    ),
    Special(
        "Herfstwandeling door Patrimonium",
        10,
        (SAT, 2),
        "14:00",
        "16:00",
        Category.SPORT,
        "Een rustige wandeling door de wijk, met een buurtbewoner die veel weet over vroeger.",
        14,
        place="Vertrek bij W4",
    ),
    Special(
        "Lampionnen maken voor Sint-Maarten",
        11,
        (SAT, 1),
        "14:00",
        "16:00",
        Category.CREATIVE,
        "Kinderen maken samen een lampion. Op 11 november lopen we ermee langs de deuren.",
        14,
        signup=True,
        capacity=14,
    ),
    Special(
        "Kerststukjes maken",
        12,
        (SAT, 2),
        "14:00",
        "16:30",
        Category.CREATIVE,
        "Maak je eigen kerststukje met groen, kaarsen en linten. Wij zorgen voor de spullen.",
        12,
        signup=True,
        capacity=12,
    ),
]

WINGERD_REGULARS = [
    Regular(
        "Koffie en een praatje",
        WED,
        "10:00",
        "12:00",
        Category.COFFEE,
        "Koffie, thee en een praatje met je buren uit het complex. Je bent welkom, wie je ook bent.",
        STAFF,
        ((0, 1),),
        (3, 10),
        capacity=15,
        signup=True,
    ),
    Regular(
        "Bewonersavond",
        TUE,
        "19:30",
        "21:00",
        Category.NEIGHBOURHOOD,
        "Wat speelt er in het complex? Jij kiest mee waar we het over hebben.",
        STAFF,
        ((0, 4),),
        (4, 11),
        audience=Audience.MEMBERS,
        phase=1,
    ),
    Regular(
        "Spreekuur geldzaken",
        FRI,
        "10:00",
        "12:00",
        Category.ADVICE,
        MONEY_TEXT,
        STAFF,
        ((1, 2),),
        (1, 4),
        partner="debt_help",
    ),
    Regular(
        "Praatmaatje-uur",
        MON,
        "13:30",
        "14:30",
        Category.LANGUAGE,
        PRAAT_TEXT,
        STAFF,
        ((2, 2),),
        (2, 5),
        capacity=6,
        signup=True,
        partner="welfare",
        phase=1,
    ),
    Regular(
        "Spelletjesmiddag",
        SAT,
        "14:00",
        "17:00",
        Category.OTHER,
        "Sjoelen, kaarten, rummikub of een bordspel. Voor jong en oud.",
        STAFF,
        ((2, 4),),
        (5, 11),
        capacity=15,
        signup=True,
        phase=2,
    ),
]

WINGERD_SPECIALS = [
    Special(
        "Open middag: kom kennismaken",
        0,
        (SAT, 1),
        "14:00",
        "16:00",
        Category.NEIGHBOURHOOD,
        "De huiskamer van het complex is open. Kom kennismaken en vertel waar jij het over wilt hebben.",
        14,
    ),
]


@dataclass(frozen=True)
class Club:
    """A resident's (or a student's) booking that comes back, like Regular's cadence."""

    title: str
    booker: str  # e-mail address, or the name of a neighbour
    weekday: int
    start: str
    end: str
    category: str
    attendees: int
    cadence: tuple[tuple[int, int], ...]
    public: bool = True
    phase: int = 0
    skip_months: tuple[int, ...] = ()
    log: str = ""
    log_every: int = 1


W4_CLUBS = [
    Club(
        "Taalcafé: samen Nederlands praten",
        COORDINATOR,
        THU,
        "19:00",
        "21:00",
        Cat.ACTIVITY,
        15,
        ((3, 1),),
        skip_months=(7,),
    ),
    Club(
        "Huiswerkklas",
        DAAN,
        MON,
        "15:30",
        "17:00",
        Cat.CLUB,
        12,
        ((4, 1),),
        skip_months=(7, 8),
        log="Huiswerkklas begeleid",
        log_every=3,
    ),
    Club("Breiclub", "Gerda Mulder", MON, "13:00", "15:00", Cat.CLUB, 6, ((2, 2),)),
    Club("Klaverjasclub", "Cor van Dijk", WED, "19:00", "22:00", Cat.CLUB, 12, ((4, 1),)),
    Club("Naaiatelier", "Emine Çelik", THU, "10:00", "12:00", Cat.CLUB, 8, ((5, 2),), phase=1),
    Club(
        "Overleg huurders Witmondplein",
        "Ruud Jacobs",
        TUE,
        "19:30",
        "21:30",
        Cat.MEETING,
        8,
        ((1, 6),),
    ),
]

# Residents' one-off bookings: (category, slots, titles, attendees (min, max), public, weight).
W4_ONE_OFFS = [
    (
        Cat.BIRTHDAY,
        [(SAT, "14:00", "17:00"), (SUN, "13:00", "17:00"), (FRI, "16:00", "19:00")],
        [
            "Verjaardag",
            "Kinderfeestje",
            "Verjaardag van mijn moeder",
            "Verjaardag van opa",
            "Babyshower",
            "Afscheid van de buurvrouw",
        ],
        (10, 20),
        False,
        4,
    ),
    (
        Cat.MEETING,
        [(TUE, "19:30", "21:30"), (THU, "16:00", "17:30"), (MON, "19:00", "21:00")],
        [
            "Overleg over de speeltuin",
            "Vergadering voetbalclub Patrimonium",
            "Overleg ouders van de basisschool",
            "Vergadering van de moskeevereniging",
        ],
        (5, 12),
        True,
        2,
    ),
    (
        Cat.OTHER,
        [(FRI, "10:00", "12:00"), (TUE, "14:00", "15:30"), (SAT, "10:00", "12:00")],
        [
            "Koffie met de buren",
            "Hulp bij de computer",
            "Sollicitatiegesprek oefenen",
            "Bijles rekenen",
            "Formulieren invullen met de buurman",
        ],
        (2, 6),
        False,
        3,
    ),
]

WINGERD_ONE_OFFS = [
    (
        Cat.BIRTHDAY,
        [(SAT, "14:00", "17:00"), (SUN, "13:00", "17:00")],
        ["Verjaardag", "Kinderfeestje", "Verjaardag van mijn vader"],
        (8, 15),
        False,
        3,
    ),
    (
        Cat.MEETING,
        [(THU, "19:00", "20:30")],
        ["Overleg over de binnentuin", "Bijeenkomst bewoners portiek B"],
        (5, 10),
        True,
        1,
    ),
    (
        Cat.OTHER,
        [(MON, "10:00", "11:00"), (THU, "14:00", "15:30")],
        ["Koffie met de buren", "Samen brieven lezen"],
        (2, 5),
        False,
        2,
    ),
]


@dataclass(frozen=True)
class HousePlan:
    slug: str
    seed: int
    neighbours: list[Neighbour]
    launch: int
    regulars: list[Regular]
    specials: list[Special]
    clubs: list[Club]
    one_offs: list
    one_offs_per_week: tuple[float, float]  # at the start and at the end of the pilot


PLANS = [
    HousePlan("w4", 4, W4_NEIGHBOURS, W4_LAUNCH, W4_REGULARS, W4_SPECIALS, W4_CLUBS, W4_ONE_OFFS, (0.5, 2.0)),
    HousePlan(
        "buurtthuis",
        31,
        WINGERD_NEIGHBOURS,
        WINGERD_LAUNCH,
        WINGERD_REGULARS,
        WINGERD_SPECIALS,
        [],
        WINGERD_ONE_OFFS,
        (0.3, 0.9),
    ),
]

# --- ideas and polls -----------------------------------------------------------------------------

# (house, title, proposer, pilot month, description, status, reason, activity title, supporters)
IDEAS = [
    (
        "w4",
        "Bewegen voor ouderen",
        "Riek de Boer",
        1,
        "Veel ouderen in de buurt bewegen te weinig. Kunnen we samen gymmen, op een stoel?",
        Idea.Status.DONE,
        "Elke woensdagochtend is er nu Bewegen op de stoel.",
        "Bewegen op de stoel",
        8,
    ),
    (
        "w4",
        "Filmavond in de huiskamer",
        "Sanne de Graaf",
        2,
        "Eén keer per maand samen een film kijken. Iedereen mag een film voorstellen.",
        Idea.Status.DONE,
        "",
        "Filmavond",
        11,
    ),
    (
        "w4",
        "Groen voor het plein",
        "Joke Meijer",
        2,
        "Het plein is zo grijs. Kunnen we bloemen en kruiden in bakken zetten?",
        Idea.Status.DONE,
        "De woonstichting betaalde de bakken. Buren vulden ze samen.",
        "Plantenbakken vullen",
        9,
    ),
    (
        "w4",
        "Een hondenuitlaatplek",
        "Piet Hendriks",
        3,
        "Er ligt veel hondenpoep op het grasveld. Een vaste plek voor honden zou helpen.",
        Idea.Status.NOT_NOW,
        "Dit gaat over de openbare ruimte. We hebben je idee doorgegeven aan de gemeente.",
        "",
        4,
    ),
    (
        "w4",
        "Een repaircafé",
        "Kees Prins",
        4,
        "Ik kan goed dingen maken. Laten we een middag houden waarop buren spullen repareren.",
        Idea.Status.DONE,
        "",
        "Repair Café",
        7,
    ),
    (
        "w4",
        "Wifi in de huiskamer",
        "Naima El Khattabi",
        5,
        "Kinderen kunnen hier beter huiswerk maken als er internet is.",
        Idea.Status.DONE,
        "De woonstichting heeft wifi aangelegd. Het wachtwoord hangt bij de deur.",
        "",
        6,
    ),
    (
        "w4",
        "Spelletjesmiddag voor kinderen",
        "Marcia Wijngaarde",
        7,
        "In de herfstvakantie is er weinig te doen voor kinderen. Een middag met spelletjes?",
        Idea.Status.PLANNED,
        "",
        "",
        5,
    ),
    (
        "w4",
        "Samen naar de markt",
        "Bep Dekker",
        8,
        "Ik loop niet meer zo goed. Wie gaat er mee naar de markt op zaterdag?",
        Idea.Status.LOOKING,
        "",
        "",
        3,
    ),
    (
        "buurtthuis",
        "Een spelletjesmiddag",
        "Corrie Evers",
        0,
        "Ik ben vaak alleen. Een middag met kaarten of sjoelen zou ik fijn vinden.",
        Idea.Status.DONE,
        "",
        "Spelletjesmiddag",
        6,
    ),
    (
        "buurtthuis",
        "Bankjes in de binnentuin",
        "Petra van Rijn",
        1,
        "In de binnentuin kun je nergens zitten. Met een paar bankjes wordt het een ontmoetingsplek.",
        Idea.Status.PLANNED,
        "",
        "",
        7,
    ),
    (
        "buurtthuis",
        "Betere verlichting in portiek B",
        "Tolga Erdem",
        2,
        "Het is 's avonds donker in portiek B. Veel mensen voelen zich daar niet veilig.",
        Idea.Status.LOOKING,
        "",
        "",
        5,
    ),
]

# (house, question, description, options, max choices, pilot month it opens, days open, voters)
POLLS = [
    (
        "w4",
        "Welke film kijken we op de eerste filmavond?",
        "Kies één film. De film met de meeste stemmen kijken we samen.",
        ["Flodder", "Intouchables", "Soof", "Bloed, zweet & tranen"],
        1,
        3,
        14,
        16,
    ),
    (
        "w4",
        "Wat zetten we in de plantenbakken?",
        "Je mag er twee kiezen.",
        ["Bloemen", "Kruiden", "Aardbeien", "Kleine struiken"],
        2,
        3,
        21,
        22,
    ),
    (
        "buurtthuis",
        "Waar wil je het over hebben in BuurtThuis?",
        "Kies er hoogstens twee. Op de bewonersavond praten we over de onderwerpen met de meeste stemmen.",
        [
            "Overlast in het portiek",
            "Geldzaken en rekeningen",
            "Alleen zijn",
            "De binnentuin",
            "Veiligheid rond het complex",
        ],
        2,
        1,
        21,
        11,
    ),
]

# --- news, koffiekrant, summary ------------------------------------------------------------------

# (house, pilot day or (month, day) of the year, title, summary, body, audience)
POSTS = [
    (
        "w4",
        0,
        "W4 is open voor de buurt",
        "Vanaf deze week is de woonkamer van Witmondplein 4 open voor iedereen uit de buurt.",
        "De woonkamer van **Witmondplein 4** is vanaf nu van de buurt. Daan en Noor wonen in het huis. "
        "Zij zetten de koffie en helpen je graag.\n\n"
        "- Op dinsdagochtend is er koffie.\n"
        "- Je kunt de woonkamer ook zelf reserveren.\n"
        "- Heb je een idee? Vertel het ons.",
        Post.Audience.PUBLIC,
    ),
    (
        "w4",
        16,
        "De eerste koffieochtenden",
        "Elke dinsdag drinken we koffie in W4. Er komen steeds meer buren.",
        "De eerste koffieochtenden waren gezellig. Er kwamen buren die elkaar al jaren niet hadden "
        "gesproken. Kom ook eens langs op dinsdag van 10:00 tot 11:30 uur. Meld je even aan, dan weten "
        "we hoeveel koffie we moeten zetten.",
        Post.Audience.PUBLIC,
    ),
    (
        "w4",
        52,
        "Vrijwilligers gezocht",
        "Wil je helpen bij de koffieochtend of het Praatmaatje-uur? We zoeken buren die het leuk vinden.",
        "Je hoeft niets speciaals te kunnen. Je zet koffie, je praat met mensen of je helpt met "
        "opruimen. Eén keer per maand helpen is ook fijn. Vraag het aan Daan of Noor.",
        Post.Audience.PUBLIC,
    ),
    (
        "w4",
        95,
        "Nieuw: het Taalcafé op donderdagavond",
        "Elke donderdagavond praten we samen Nederlands, met koffie en thee.",
        "In het Taalcafé oefen je Nederlands met buren. Je praat over gewone dingen: je familie, je "
        "werk, het weer. Fouten maken mag. Het Taalcafé is van 19:00 tot 21:00 uur.",
        Post.Audience.PUBLIC,
    ),
    (
        "w4",
        118,
        "Huiswerkklas op maandagmiddag",
        "Kinderen van groep 6 tot en met de brugklas kunnen bij Daan hun huiswerk maken.",
        "Is het thuis te druk om huiswerk te maken? Op maandag van 15:30 tot 17:00 uur kun je in de "
        "huiskamer werken. Daan helpt je als je iets niet snapt. Er is ook limonade.",
        Post.Audience.PUBLIC,
    ),
    (
        "w4",
        140,
        "Klaverjassen op woensdagavond",
        "De klaverjasclub zoekt nog spelers. Je bent welkom, ook als je het nog moet leren.",
        "Cor van Dijk heeft de klaverjasclub opgezet. Elke woensdagavond wordt er gespeeld in de "
        "huiskamer. Kom gerust kijken.",
        Post.Audience.PUBLIC,
    ),
    (
        "w4",
        183,
        "Een half jaar W4",
        "Een half jaar geleden ging de deur van W4 open. Wat hebben we samen gedaan?",
        "In een half jaar kwamen er veel buren binnen. Er is elke week koffie, er is een breiclub en "
        "een klaverjasclub, en kinderen maken hier hun huiswerk. Buren bedachten zelf nieuwe "
        "activiteiten, zoals de filmavond.\n\n"
        "Dank je wel aan iedereen die meedoet. Wat wil jij het komende half jaar doen? Vertel het ons.",
        Post.Audience.PUBLIC,
    ),
    (
        "w4",
        (8, 24),
        "Na de zomer weer van start",
        "Na de zomer beginnen het Taalcafé en de huiswerkklas weer. De koffieochtend gaat gewoon door.",
        "In de zomer was het rustiger in W4. Nu begint alles weer. Kijk in het programma wat er te "
        "doen is, of lees de koffiekrant.",
        Post.Audience.PUBLIC,
    ),
    (
        "buurtthuis",
        0,
        "BuurtThuis Wingerd is open",
        "De huiskamer op de begane grond is er voor alle bewoners van het complex.",
        "Kom binnen voor koffie en een praatje. Jij kiest mee waar we het over hebben: gooi je idee in "
        "de ideeënbus of vul de vragenlijst in.",
        Post.Audience.PUBLIC,
    ),
    (
        "buurtthuis",
        20,
        "De ideeënbus hangt naast de deur",
        "Heb je een idee voor het complex? Schrijf het op een briefje en doe het in de ideeënbus.",
        "Je mag je naam erop zetten, maar het hoeft niet. Elke maand kijken we samen naar de ideeën. "
        "Je kunt je idee ook op de website zetten.",
        Post.Audience.PUBLIC,
    ),
]

WORDS = [
    "Deze week staat de koffie weer klaar op dinsdag. Neem gerust een buur mee!",
    "Wist je dat je de huiskamer ook zelf kunt reserveren? Vraag het aan Daan of Noor.",
    "Het was druk bij de koffieochtend. Fijn dat jullie er waren! Volgende week bakt Noor een cake.",
    "Heb je een idee voor de buurt? Schrijf het op een briefje of zet het op de website.",
    "Het Praatmaatje-uur zoekt nog buren die Nederlands willen oefenen. Iedereen is welkom.",
    "Meld je aan voor de activiteiten. Dan weten wij hoeveel koffie we moeten zetten.",
    "Deze week denken we aan iedereen die ziek is. Sterkte! Wil je bezoek? Laat het ons weten.",
    "Bedankt voor alle hulp bij het opruimen. Samen houden we de huiskamer gezellig.",
    "Nieuw in de buurt? Kom gerust binnen. Je hoeft niets te kopen en je hoeft je niet aan te melden.",
    "Deze week hebben wij tentamens. Daarom is de inloop op woensdag korter. Sorry!",
]
FIRST_WORD = (
    "Dit is de eerste koffiekrant van W4! Elke week lees je hier wat er te doen is in de huiskamer. "
    "Groetjes, Daan en Noor"
)
PDF_WEEKS = 2  # the last weeks published through koffiekrant.publish_issue, with their PDF

# Targets for W4's pilot year: ambitious, most on track at the pace so far, reach and ideas behind.
W4_TARGETS = {
    TargetFigure.ACTIVITIES_HELD: 200,
    TargetFigure.VISITS: 1800,
    TargetFigure.REACH: 100,
    TargetFigure.NEW_MEMBERS: 80,
    TargetFigure.ROOM_HOURS: 600,
    TargetFigure.STUDENT_HOURS: 192,  # the two students' obligations: 96 hours each
    TargetFigure.IDEAS_DONE: 8,
    TargetFigure.NEWS_POSTS: 25,
}

FIRST_STORY = (
    "De eerste maanden",
    """\
In de eerste weken was het stil in W4. Op dinsdag kwamen een paar buren koffie drinken. Daan en Noor
gingen langs de deuren met een flyer. Zo kwamen er langzaam meer mensen.

Veel ouderen vinden het fijn om weer eens iemand te spreken. Buren die Nederlands leren, komen naar
het Praatmaatje-uur. In het buurtoverleg kwamen de eerste ideeën: bewegen voor ouderen, een
filmavond en meer groen op het plein.

Wat we leerden: een persoonlijke uitnodiging werkt beter dan een flyer. En mensen komen eerder als
er iemand is die ze al kennen.""",
    [
        ("Ik kwam voor de koffie. Nu kom ik voor de mensen.", "bewoonster, 81 jaar"),
        ("Eindelijk een plek in de buurt waar je zomaar naar binnen kunt lopen.", "buurman, 56 jaar"),
        (
            "Mijn Nederlands is beter geworden. Ik durf nu zelf de dokter te bellen.",
            "bewoonster, 34 jaar, twee jaar in Nederland",
        ),
    ],
)
SECOND_STORY = (
    "",  # the season of the period, e.g. "Het najaar"
    """\
De huiskamer is nu bijna elke dag in gebruik. Naast de koffieochtend zijn er vaste clubs van
bewoners: de breiclub, de klaverjasclub en het naaiatelier. Op maandag helpt Daan kinderen met hun
huiswerk. Het Repair Café trekt ook mensen van buiten het plein.

Niet alles ging goed. Soms reserveerde iemand de kamer en kwam niemand opdagen. Nu bellen we een
dag van tevoren. En we bereiken nog te weinig jonge gezinnen en mensen die niet zelf de deur uit
komen. Daarom gaan de studenten vaker op huisbezoek.

Onze wens: laat W4 na de pilot doorgaan. De buurt heeft er een plek bij gekregen.""",
    [
        (
            "Vroeger zat ik de hele dag alleen. Nu heb ik op dinsdag en donderdag een afspraak.",
            "bewoner, 77 jaar",
        ),
        ("Mijn dochter maakt hier haar huiswerk. Thuis is het te druk.", "moeder van drie kinderen"),
        ("Mijn fiets is gemaakt en ik heb drie buren leren kennen.", "buurman, 29 jaar"),
    ],
)
SEASONS = {
    12: "De winter",
    1: "De winter",
    2: "De winter",
    3: "Het voorjaar",
    4: "Het voorjaar",
    5: "Het voorjaar",
    6: "De zomer",
    7: "De zomer",
    8: "De zomer",
    9: "Het najaar",
    10: "Het najaar",
    11: "Het najaar",
}

# --- helpers -------------------------------------------------------------------------------------

_LETTERS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "ß": "ss", "İ": "I"})


def email_for(name: str) -> str:
    """voornaam.achternaam@example.nl, in plain letters ("Emine Çelik" -> emine.celik@...)."""
    first, _, last = name.partition(" ")

    def plain(text: str) -> str:
        text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
        return "".join(c for c in text if c.isascii() and c.isalnum()).lower()

    return f"{plain(first)}.{plain(last)}@example.nl"


def _easter(year: int) -> dt.date:
    """Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def closed(day: dt.date) -> bool:
    """The house is closed on public holidays and between Christmas and New Year."""
    if (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1):
        return True
    easter = _easter(day.year)
    return day in {
        easter + dt.timedelta(days=1),
        easter + dt.timedelta(days=39),
        easter + dt.timedelta(days=50),
        dt.date(day.year, 4, 27),
    }


def _nth(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _every(cadence: tuple[tuple[int, int], ...], month: int) -> int | None:
    """How many weeks apart in pilot month `month` (None: not started yet)."""
    every = None
    for start, n in cadence:
        if month >= start:
            every = n
    return every


@dataclass
class Member:
    user: User
    joined: dt.datetime
    weight: float
    on_paper: bool


@dataclass
class PlannedActivity:
    title: str
    start: dt.datetime
    end: dt.datetime
    category: str
    description: str
    organiser: User
    created_at: dt.datetime
    place: str
    audience: str
    capacity: int | None
    signup: bool
    partner: Organisation | None
    walk_ins: int
    signups: list  # (member, status, attended, created_at, cancelled_at)
    cancel_reason: str = ""
    recorded_after: dt.timedelta = dt.timedelta(hours=2)
    log: str = ""


@dataclass
class PlannedBooking:
    booker: User
    created_by: User
    start: dt.datetime
    end: dt.datetime
    category: str
    title: str
    attendees: int
    public: bool
    took_place: bool
    created_at: dt.datetime
    log: str = ""


@dataclass
class RoomState:
    """What the room holds: natural keys of its bookings, and the blocked times of live ones per day."""

    room: Room
    keys: set = field(default_factory=set)
    busy: dict = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, room: Room) -> RoomState:
        state = cls(room)
        for booker, period, blocked, status in Booking.objects.filter(room=room).values_list(
            "booker_id", "period", "blocked", "status"
        ):
            state.keys.add((booker, period.lower))
            if status in Booking.LIVE:
                state.busy[blocked.lower.date()].append((blocked.lower, blocked.upper))
        return state

    def take(self, booker: User, start: dt.datetime, end: dt.datetime) -> str:
        """Whether a booking can be made: "made" already (same booker and start), "busy" (the time is
        taken) or "free" (and from now on held for it)."""
        if (booker.pk, start) in self.keys:
            return "made"
        lower, upper = start, end + self.room.buffer
        day = lower.astimezone(dt.UTC).date()
        near = [
            *self.busy[day],
            *self.busy[day - dt.timedelta(days=1)],
            *self.busy[day + dt.timedelta(days=1)],
        ]
        if any(lo < upper and lower < hi for lo, hi in near):
            return "busy"
        self.busy[day].append((lower, upper))
        self.keys.add((booker.pk, start))
        return "free"


class History:
    def __init__(self, houses: dict[str, House]) -> None:
        self.houses = houses
        self.created: Counter[str] = Counter()
        self.audit: list[AuditEvent] = []
        people = {u.email: u for u in User.objects.filter(email__in=[STAFF, COORDINATOR, DAAN, NOOR])}
        self.staff, self.coordinator = people[STAFF], people[COORDINATOR]
        self.daan, self.noor = people[DAAN], people[NOOR]
        self.students = {self.daan.pk, self.noor.pk}
        from wijkhuis.demo import ORGANISATIONS

        by_name = {o.name: o for o in Organisation.objects.all()}
        self.orgs = {key: by_name.get(data["name"]) for key, data in ORGANISATIONS.items()}
        self.types = {m: ContentType.objects.get_for_model(m) for m in (Membership, User, Booking, Activity)}
        self.types.update({m: ContentType.objects.get_for_model(m) for m in (Idea, Poll)})
        self.activities: dict[str, dict[str, Activity]] = {}  # house slug -> title -> first one held
        self.held: dict[str, list[Activity]] = {}  # house slug -> activities held, in order
        self.members_of: dict[str, list[Member]] = {}
        self.mondays: dict[str, dt.date] = {}  # house slug -> the Monday the demo counts weeks from

    def run(self) -> Counter[str]:
        for plan in PLANS:
            house = self.houses[plan.slug]
            if house.pilot_start is None:
                continue
            self.house(plan, house)
        self.ideas_and_polls()
        self.news()
        self.koffiekrant()
        self.targets_and_stories()
        AuditEvent.objects.bulk_create(self.audit)
        self.created["audit events"] += len(self.audit)
        return +self.created

    def _audit(self, action, *, actor, target, house, when, on_behalf_of=None, changes=None) -> None:
        """An audit row as residents.audit.record writes it, at the moment it happened; made in bulk."""
        if house is None:
            house = getattr(target, "house", None)
        self.audit.append(
            AuditEvent(
                created_at=when,
                action=action,
                actor=actor,
                on_behalf_of=on_behalf_of,
                house=house,
                target_type=self.types[type(target)],
                target_id=str(target.pk),
                target_repr=str(target)[:200],
                changes=changes or {},
            )
        )

    # --- one house -------------------------------------------------------------------------------

    def house(self, plan: HousePlan, house: House) -> None:
        from wijkhuis.demo import DEMO_ACTIVITIES, DEMO_BOOKINGS, Seeder

        room = Room.objects.get(house=house, name="Huiskamer")
        monday = Seeder()._booking_weeks(room)
        first = house.pilot_start
        # The demo's own bookings and programme of the room, as they are planned in wijkhuis.demo.
        demo_bookings = [b for b in DEMO_BOOKINGS if b.house == plan.slug]
        bookings_from = monday + dt.timedelta(weeks=min(w for b in demo_bookings for w in b.weeks))
        programme = defaultdict(list)
        for spec in DEMO_ACTIVITIES if plan.slug == "w4" else []:
            for week in spec.weeks:
                day = monday + dt.timedelta(weeks=week, days=spec.weekday)
                programme[spec.title].append(make_local(day, _time(spec.start)))
        rng = random.Random(plan.seed)
        members = self.members(plan, house, rng, first, monday - dt.timedelta(days=7))
        acts = self.plan_activities(plan, rng, first, monday, members, programme)
        books = self.plan_bookings(
            plan, rng, first, monday, bookings_from, {b.title for b in demo_bookings}, members
        )
        # The plan is complete; from here on only the database decides what is still missing.
        state = RoomState.load(room)
        made = self.make_activities(house, room, state, acts)
        made_bookings = self.make_bookings(house, room, state, books)
        self.hour_logs(house, made, made_bookings)
        self.mondays[plan.slug] = monday
        self.members_of[plan.slug] = members
        self.held[plan.slug] = [a for p, a in sorted(made, key=lambda pa: pa[0].start) if not p.cancel_reason]

    def members(self, plan: HousePlan, house: House, rng: random.Random, first: dt.date, last: dt.date):
        """The neighbours of `plan` (made if missing), with the residents of the demo, as Members."""
        span = max((last - first).days, 30)
        joins = []
        for i, person in enumerate(plan.neighbours):
            days = rng.uniform(0, 21) if i < plan.launch else rng.uniform(21, span)
            day = first + dt.timedelta(days=int(days))
            decided = make_local(day, dt.time(rng.randint(10, 15), rng.choice((0, 15, 30, 45))))
            wait = dt.timedelta(0) if not person.email else dt.timedelta(hours=rng.randint(3, 70))
            joins.append(
                (
                    person,
                    decided,
                    decided - wait,
                    rng.choice(MOTIVATIONS),
                    rng.choice((0.3, 0.6, 1, 1, 1.5, 2.5, 4)),
                )
            )
        users = self.neighbours(house, joins)
        members = [
            Member(users[person.name], decided, weight, not person.email)
            for person, decided, _requested, _motivation, weight in joins
        ]
        others = (
            Membership.objects.filter(house=house, role=Role.RESIDENT, status=Membership.Status.ACTIVE)
            .exclude(user__in=[m.user for m in members])
            .select_related("user")
            .order_by("decided_at", "user_id")
        )
        members += [Member(m.user, m.decided_at, 1.5, not m.user.email) for m in others if m.decided_at]
        return members

    def neighbours(self, house: House, joins: list) -> dict[str, User]:
        """Accounts (or people registered at the desk) and verified memberships of the neighbours."""
        with_email = [p for p, *_ in joins if p.email]
        emails = {email_for(p.name): p for p in with_email}
        found = {u.email: u for u in User.objects.filter(email__in=emails)}
        on_paper = {
            u.name: u
            for u in User.objects.filter(
                email=None, registered_by=self.staff, name__in=[p.name for p, *_ in joins if not p.email]
            )
        }
        new_users = []
        for person, _decided, requested, _motivation, _weight in joins:
            if person.email and email_for(person.name) not in found:
                user = User(
                    email=email_for(person.name),
                    name=person.name,
                    language=person.language,
                    date_joined=requested,
                    password=make_password(None),
                )
                found[user.email] = user
                new_users.append(user)
            elif not person.email and person.name not in on_paper:
                user = User(
                    email=None,
                    name=person.name,
                    registered_by=self.staff,
                    date_joined=requested,
                    password=make_password(None),
                )
                on_paper[person.name] = user
                new_users.append(user)
        User.objects.bulk_create(new_users)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in new_users if u.email]
        )
        self.created["accounts"] += sum(1 for u in new_users if u.email)
        self.created["verified e-mail addresses"] += sum(1 for u in new_users if u.email)
        self.created["people registered by staff"] += sum(1 for u in new_users if not u.email)
        users = {p.name: found[email_for(p.name)] if p.email else on_paper[p.name] for p, *_ in joins}
        have = set(
            Membership.objects.filter(house=house, role=Role.RESIDENT, user__in=users.values()).values_list(
                "user_id", flat=True
            )
        )
        memberships = []
        for person, decided, requested, motivation, _weight in joins:
            user = users[person.name]
            if user.pk not in have:
                memberships.append(
                    Membership(
                        user=user,
                        house=house,
                        role=Role.RESIDENT,
                        status=Membership.Status.ACTIVE,
                        motivation=motivation if person.email else "",
                        requested_at=requested,
                        decided_at=decided,
                        decided_by=self.staff,
                    )
                )
        Membership.objects.bulk_create(memberships)
        for membership in memberships:
            user, decided = membership.user, membership.decided_at
            if user.email:
                self._audit(
                    "membership.requested",
                    actor=user,
                    target=membership,
                    house=None,
                    when=membership.requested_at,
                )
                self._audit(
                    "membership.verified",
                    actor=self.staff,
                    target=membership,
                    house=None,
                    when=decided,
                    changes={"status": [Membership.Status.PENDING, Membership.Status.ACTIVE]},
                )
            else:
                self._audit(
                    "person.registered",
                    actor=self.staff,
                    on_behalf_of=user,
                    target=user,
                    house=house,
                    when=decided,
                )
                self._audit(
                    "membership.verified",
                    actor=self.staff,
                    on_behalf_of=user,
                    target=membership,
                    house=None,
                    when=decided,
                )
        self.created["memberships"] += len(memberships)
        return users

    # --- planning ------------------------------------------------------------------------------------

    def _person(self, key: str, users: dict[str, User]) -> User:
        if "@" in key:
            return {STAFF: self.staff, COORDINATOR: self.coordinator, DAAN: self.daan, NOOR: self.noor}[key]
        return users[key]

    def plan_activities(self, plan, rng, first, end, members, programme) -> list[PlannedActivity]:
        """The activities from the pilot start up to the demo's week (`end`). Where the demo's programme
        has the same activity, only its very dates are planned (their sign-ups are completed)."""
        users = {m.user.name: m.user for m in members}
        planned: list[PlannedActivity] = []
        times = Counter()
        weeks = (end - week_start(first)).days // 7
        for w in range(weeks):
            monday = week_start(first) + dt.timedelta(weeks=w)
            for spec in plan.regulars:
                day = monday + dt.timedelta(days=spec.weekday)
                month = int((day - first).days // MONTH)
                every = _every(spec.cadence, month)
                if day < first or day >= end or every is None or (w + spec.phase) % every:
                    continue
                if closed(day) or (spec.months and day.month not in spec.months):
                    continue
                begins = make_local(day, _time(spec.start))
                gap = dt.timedelta(weeks=every)
                if any(at != begins and abs(at - begins) < gap for at in programme[spec.title]):
                    continue
                times[spec.title] += 1
                planned.append(
                    self._plan_one(
                        rng,
                        members,
                        first,
                        title=spec.title,
                        day=day,
                        start=spec.start,
                        end=spec.end,
                        category=spec.category,
                        description=spec.description,
                        organiser=self._person(spec.organiser, users),
                        place=spec.place,
                        audience=spec.audience,
                        capacity=spec.capacity,
                        signup=spec.signup,
                        partner=self.orgs.get(spec.partner) if spec.partner else None,
                        visitors=spec.visitors,
                        rain=spec.rain,
                        log=spec.log if times[spec.title] % spec.log_every == 0 else "",
                    )
                )
        for spec in plan.specials:
            for day in self._special_days(spec, first, end):
                organiser = self.staff if plan.slug != "w4" else (self.daan if spec.place else self.noor)
                planned.append(
                    self._plan_one(
                        rng,
                        members,
                        first,
                        title=spec.title,
                        day=day,
                        start=spec.start,
                        end=spec.end,
                        category=spec.category,
                        description=spec.description,
                        organiser=organiser,
                        place=spec.place,
                        audience=Audience.EVERYONE,
                        capacity=spec.capacity,
                        signup=spec.signup,
                        partner=None,
                        visitors=(spec.visitors, spec.visitors),
                        rain=False,
                        log="",
                    )
                )
        planned.sort(key=lambda a: (a.start, a.title))
        return planned

    @staticmethod
    def _special_days(spec: Special, first: dt.date, end: dt.date) -> list[dt.date]:
        if spec.month == 0:  # the opening: the first Saturday the house is open
            day = first + dt.timedelta(days=(spec.rule[0] - first.weekday()) % 7)
            while closed(day):
                day += dt.timedelta(weeks=1)
            return [day] if day < end else []
        days = []
        for year in range(first.year, end.year + 1):
            day = _nth(year, spec.month, *spec.rule)
            if first + dt.timedelta(days=7) <= day < end and not closed(day):
                days.append(day)
        return days

    def _plan_one(self, rng, members, first, *, title, day, start, end, visitors, rain, **kw):
        begins, ends = make_local(day, _time(start)), make_local(day, _time(end))
        progress = min(1.0, (day - first).days / (PILOT_DAYS * 0.85))
        lo, hi = visitors
        expected = max(1, round((lo + (hi - lo) * progress) * rng.uniform(0.75, 1.2)))
        created_at = max(
            begins - dt.timedelta(days=rng.randint(7, 21)),
            make_local(first - dt.timedelta(days=7), dt.time(9)),
        )
        act = PlannedActivity(
            title=title,
            start=begins,
            end=ends,
            created_at=created_at,
            walk_ins=expected,
            signups=[],
            recorded_after=dt.timedelta(minutes=rng.randint(20, 60 * 26)),
            **kw,
        )
        if rain and rng.random() < 0.12:
            act.cancel_reason = "Het regende te hard. Volgende week zijn we er weer."
            act.walk_ins = 0
            return act
        if act.signup:
            eligible = [m for m in members if m.joined <= begins - dt.timedelta(days=2)]
            wanted = round(expected * rng.uniform(0.6, 0.85))
            if act.capacity:
                wanted = min(wanted, act.capacity)
            chosen = _pick(rng, eligible, wanted)
            came = 0
            for member in chosen:
                signed = created_at + (begins - created_at) * rng.uniform(0.05, 0.95)
                if rng.random() < 0.06:
                    cancelled = signed + (begins - signed) * rng.uniform(0.2, 0.9)
                    act.signups.append((member, Signup.Status.CANCELLED, None, signed, cancelled))
                    continue
                attended = rng.random() < 0.88
                came += attended
                act.signups.append((member, Signup.Status.CONFIRMED, attended, signed, None))
            act.walk_ins = max(0, expected - came)
        return act

    def plan_bookings(self, plan, rng, first, end, demo_from, demo_titles, members) -> list[PlannedBooking]:
        """Residents' own bookings up to the demo's week (`end`): their clubs all the way, but the ones
        the demo books itself, and the one-off bookings, only up to where the demo's bookings begin."""
        users = {m.user.name: m.user for m in members}
        joined = {m.user.pk: m.joined for m in members}
        on_paper = {m.user.pk for m in members if m.on_paper}
        planned: list[PlannedBooking] = []
        times = Counter()
        weeks = max(0, (end - week_start(first)).days // 7)
        for w in range(weeks):
            monday = week_start(first) + dt.timedelta(weeks=w)
            for club in plan.clubs:
                day = monday + dt.timedelta(days=club.weekday)
                month = int((day - first).days // MONTH)
                every = _every(club.cadence, month)
                if day < first or day >= end or every is None or (w + club.phase) % every:
                    continue
                if (
                    closed(day)
                    or day.month in club.skip_months
                    or (club.title in demo_titles and day >= demo_from)
                ):
                    continue
                booker = self._person(club.booker, users)
                start = make_local(day, _time(club.start))
                if booker.pk in joined and joined[booker.pk] > start - dt.timedelta(days=3):
                    continue
                times[club.title] += 1
                planned.append(
                    PlannedBooking(
                        booker=booker,
                        created_by=self.staff if booker.pk in on_paper else booker,
                        start=start,
                        end=make_local(day, _time(club.end)),
                        category=club.category,
                        title=club.title,
                        attendees=max(2, club.attendees + rng.randint(-3, 2)),
                        public=club.public,
                        took_place=rng.random() > 0.03,
                        created_at=start - dt.timedelta(days=rng.randint(7, 20), hours=rng.randint(0, 8)),
                        log=club.log if times[club.title] % club.log_every == 0 else "",
                    )
                )
            progress = min(1.0, (monday - first).days / (PILOT_DAYS * 0.85))
            lo, hi = plan.one_offs_per_week
            rate = lo + (hi - lo) * progress
            count = int(rate) + (rng.random() < rate - int(rate))
            for _ in range(count):
                category, slots, titles, (few, many), public, _weight = rng.choices(
                    plan.one_offs, weights=[o[-1] for o in plan.one_offs]
                )[0]
                weekday, begins, ends = rng.choice(slots)
                title = rng.choice(titles)
                attendees = rng.randint(few, many)
                no_show = rng.random() < 0.08
                day = monday + dt.timedelta(days=weekday)
                start = make_local(day, _time(begins))
                eligible = [m for m in members if m.joined <= start - dt.timedelta(days=5)]
                booker = _pick(rng, eligible, 1) if eligible else []
                lead = dt.timedelta(days=rng.randint(3, 30), hours=rng.randint(0, 10))
                if not booker or day < first or day >= demo_from or closed(day):
                    continue
                member = booker[0]
                planned.append(
                    PlannedBooking(
                        booker=member.user,
                        created_by=self.staff if member.on_paper else member.user,
                        start=start,
                        end=make_local(day, _time(ends)),
                        category=category,
                        title=title,
                        attendees=attendees,
                        public=public,
                        took_place=not no_show,
                        created_at=max(start - lead, member.joined),
                    )
                )
        return planned

    # --- making what is missing ----------------------------------------------------------------------

    def make_activities(self, house: House, room: Room, state: RoomState, planned: list) -> list:
        """Activities (with their booking in the room) and sign-ups; returns [(planned, activity)]."""
        existing = {
            (a.title, a.period.lower): a for a in Activity.objects.filter(house=house).only("title", "period")
        }
        new: list[tuple[PlannedActivity, Activity, Booking | None]] = []
        kept: list[tuple[PlannedActivity, Activity]] = []
        for act in planned:
            activity = existing.get((act.title, act.start))
            if activity is not None:
                kept.append((act, activity))
                continue
            booking = None
            if not act.place:
                if state.take(act.organiser, act.start, act.end) != "free":
                    continue  # the demo holds this time already; never double-book
                booking = self._booking(
                    room,
                    booker=act.organiser,
                    created_by=act.organiser,
                    start=act.start,
                    end=act.end,
                    category=Cat.ACTIVITY,
                    title=act.title[:80],
                    attendees=min(act.capacity or room.capacity, room.capacity),
                    public=act.audience == Audience.EVERYONE,
                    took_place=True,
                    created_at=act.created_at,
                )
            held = not act.cancel_reason
            activity = Activity(
                house=house,
                booking=booking,
                place=act.place,
                period=DateTimeTZRange(act.start, act.end),
                title=act.title,
                description=act.description,
                category=act.category,
                audience=act.audience,
                capacity=act.capacity,
                signup_required=act.signup,
                partner=act.partner,
                status=Activity.Status.PLANNED if held else Activity.Status.CANCELLED,
                cancel_reason=act.cancel_reason,
                walk_ins=act.walk_ins if held else None,
                attendance_recorded_at=act.end + act.recorded_after if held else None,
                attendance_recorded_by=act.organiser if held else None,
                created_by=act.organiser,
                created_at=act.created_at,
            )
            new.append((act, activity, booking))
        bookings = [b for _a, _act, b in new if b is not None]
        Booking.objects.bulk_create(bookings)
        for _act, activity, booking in new:
            activity.booking = booking  # now with its pk
        Activity.objects.bulk_create([activity for _a, activity, _b in new])
        Activity.organisers.through.objects.bulk_create(
            [Activity.organisers.through(activity=activity, user=act.organiser) for act, activity, _b in new]
        )
        for act, activity, booking in new:
            if booking is not None:
                self._booking_audit(house, booking, room)
            self._audit(
                "activity.created", actor=act.organiser, target=activity, house=house, when=act.created_at
            )
            if activity.attendance_recorded_at:
                self._audit(
                    "activity.attendance",
                    actor=act.organiser,
                    target=activity,
                    house=house,
                    when=activity.attendance_recorded_at,
                    changes={"walk_ins": activity.walk_ins},
                )
            if act.cancel_reason:
                self._audit(
                    "activity.cancelled",
                    actor=act.organiser,
                    target=activity,
                    house=house,
                    when=act.start - dt.timedelta(hours=2),
                    changes={"reason": act.cancel_reason},
                )
        self.created["bookings"] += len(bookings)
        self.created["activities"] += len(new)
        done = kept + [(act, activity) for act, activity, _b in new]
        self._signups(house, done)
        firsts = self.activities.setdefault(house.slug, {})
        for act, activity in sorted(done, key=lambda pair: pair[0].start):
            if not act.cancel_reason:
                firsts.setdefault(act.title, activity)
        return done

    def _signups(self, house: House, done: list) -> None:
        """The planned sign-ups that are missing; one of the demo's own activities keeps its places."""
        have = set()
        places = Counter()
        for activity_id, person_id, status in Signup.objects.filter(
            activity__in=[a for _p, a in done]
        ).values_list("activity_id", "person_id", "status"):
            have.add((activity_id, person_id))
            places[activity_id] += status == Signup.Status.CONFIRMED
        rows = []
        for act, activity in done:
            for member, status, attended, signed, cancelled in act.signups:
                if (activity.pk, member.user.pk) in have:
                    continue
                if status == Signup.Status.CONFIRMED:
                    if activity.capacity and places[activity.pk] >= activity.capacity:
                        continue
                    places[activity.pk] += 1
                rows.append(
                    Signup(
                        activity=activity,
                        person=member.user,
                        status=status,
                        created_at=signed,
                        entered_by=self.staff if member.on_paper else None,
                        cancelled_at=cancelled,
                        attended=attended,
                    )
                )
        Signup.objects.bulk_create(rows)
        self.created["sign-ups"] += len(rows)

    def _booking(
        self,
        room: Room,
        *,
        booker,
        created_by,
        start,
        end,
        category,
        title,
        attendees,
        public,
        took_place,
        created_at,
    ) -> Booking:
        booking = Booking(
            room=room,
            booker=booker,
            created_by=created_by,
            period=DateTimeTZRange(start, end),
            blocked=DateTimeTZRange(start, end + room.buffer),
            category=category,
            title=title,
            attendees=min(attendees, room.capacity),
            is_public=public,
            status=Booking.Status.CONFIRMED,
            rules_version=room.rules_version,
            took_place=took_place,
            created_at=created_at,
        )
        if room.needs_approval:
            booking.decided_by = self.staff
            booking.decided_at = created_at + dt.timedelta(hours=20)
        return booking

    def _booking_audit(self, house: House, booking: Booking, room: Room) -> None:
        behalf = booking.booker if booking.created_by_id != booking.booker_id else None
        if room.needs_approval:
            self._audit(
                "booking.requested",
                actor=booking.created_by,
                on_behalf_of=behalf,
                target=booking,
                house=house,
                when=booking.created_at,
            )
            self._audit(
                "booking.approved", actor=self.staff, target=booking, house=house, when=booking.decided_at
            )
        else:
            self._audit(
                "booking.confirmed",
                actor=booking.created_by,
                on_behalf_of=behalf,
                target=booking,
                house=house,
                when=booking.created_at,
            )

    def make_bookings(self, house: House, room: Room, state: RoomState, planned: list) -> list:
        new = []
        made = []
        for plan in sorted(planned, key=lambda b: (b.start, b.title)):
            taken = state.take(plan.booker, plan.start, plan.end)
            if taken == "busy":
                continue
            made.append(plan)
            if taken == "made":
                continue
            new.append(
                self._booking(
                    room,
                    booker=plan.booker,
                    created_by=plan.created_by,
                    start=plan.start,
                    end=plan.end,
                    category=plan.category,
                    title=plan.title,
                    attendees=plan.attendees,
                    public=plan.public,
                    took_place=plan.took_place,
                    created_at=plan.created_at,
                )
            )
        Booking.objects.bulk_create(new)
        for booking in new:
            self._booking_audit(house, booking, room)
        self.created["bookings"] += len(new)
        return made

    def hour_logs(self, house: House, activities: list, bookings: list) -> None:
        """Students log the activities they run: Noor the mornings, Daan afternoons and evenings (the
        demo's own fortnightly logs are Daan's at 10-12 and Noor's at 14-16, on any day)."""
        if house.slug != "w4":
            return
        quiet = {self.daan.pk: (dt.time(10), dt.time(12)), self.noor.pk: (dt.time(14), dt.time(16))}
        todo = [
            (act.organiser, act.start, act.end, act.log, activity)
            for act, activity in activities
            if act.log and act.organiser.pk in self.students and not act.cancel_reason
        ]
        todo += [(b.booker, b.start, b.end, b.log, None) for b in bookings if b.log and b.took_place]
        busy = defaultdict(list)
        for student, period in (
            HourLog.objects.filter(student__in=self.students)
            .exclude(status=HourLog.Status.WITHDRAWN)
            .values_list("student_id", "period")
        ):
            busy[student].append((period.lower, period.upper))
        rows = []
        for student, start, end, what, activity in sorted(todo, key=lambda t: (t[1], t[0].pk)):
            start, end = start - dt.timedelta(minutes=15), end + dt.timedelta(minutes=15)
            if any(lo < end and start < hi for lo, hi in busy[student.pk]):
                continue  # made before, or the demo's own log holds this time
            lo, hi = quiet[student.pk]
            if localtime(start).time() < hi and lo < localtime(end).time():
                continue  # the demo's duties log this student's hours here
            busy[student.pk].append((start, end))
            reviewed = end + dt.timedelta(days=1, hours=2)
            rows.append(
                HourLog(
                    student=student,
                    house=house,
                    period=DateTimeTZRange(start, end),
                    minutes=int((end - start).total_seconds() // 60),
                    what=what,
                    activity=activity,
                    status=HourLog.Status.APPROVED,
                    reviewer=self.coordinator,
                    reviewed_at=reviewed,
                    created_at=end + dt.timedelta(hours=3),
                )
            )
        HourLog.objects.bulk_create(rows)
        self.created["hour logs"] += len(rows)

    # --- ideas and polls ---------------------------------------------------------------------------

    def ideas_and_polls(self) -> None:
        rng = random.Random(77)
        have_ideas = {(i.house_id, i.title): i for i in Idea.objects.filter(house__in=self.houses.values())}
        have_supports = set(IdeaSupport.objects.values_list("idea_id", "person_id"))
        supports = []
        for slug, title, proposer, month, text, status, reason, activity, supporters in IDEAS:
            house = self.houses[slug]
            members = self.members_of.get(slug)
            # Drawn whether or not the idea exists, so the plan stays the same.
            offset = dt.timedelta(days=month * MONTH + rng.uniform(2, 25), hours=rng.randint(9, 20))
            if not members:
                continue
            by_name = {m.user.name: m for m in members}
            person = by_name[proposer]
            created_at = max(
                make_local(house.pilot_start, dt.time()) + offset, person.joined + dt.timedelta(days=2)
            )
            fans = _pick(
                rng,
                [m for m in members if m is not person and m.joined < created_at + dt.timedelta(days=14)],
                supporters,
            )
            when = [max(created_at, m.joined) + dt.timedelta(days=rng.uniform(0.5, 20)) for m in fans]
            handler = self.coordinator if slug == "w4" else self.staff
            idea = have_ideas.get((house.pk, title))
            if idea is None:
                idea = Idea.objects.create(
                    house=house,
                    proposer=person.user,
                    entered_by=handler if person.on_paper else None,
                    title=title,
                    description=text,
                    status=status,
                    status_reason=reason,
                    activity=self.activities.get(slug, {}).get(activity) if activity else None,
                    created_at=created_at,
                )
                self.created["ideas"] += 1
                self._audit(
                    "idea.proposed",
                    actor=handler if person.on_paper else person.user,
                    on_behalf_of=person.user if person.on_paper else None,
                    target=idea,
                    house=house,
                    when=created_at,
                )
                if status != Idea.Status.NEW:
                    self._audit(
                        "idea.status",
                        actor=handler,
                        target=idea,
                        house=house,
                        when=created_at + dt.timedelta(days=9),
                        changes={"status": [Idea.Status.NEW, status], "reason": reason},
                    )
            for member, at in zip(fans, when, strict=True):
                if (idea.pk, member.user.pk) not in have_supports:
                    supports.append(
                        IdeaSupport(
                            idea=idea,
                            person=member.user,
                            entered_by=handler if member.on_paper else None,
                            created_at=at,
                        )
                    )
        IdeaSupport.objects.bulk_create(supports)
        self.created["idea supports"] += len(supports)

        for slug, question, text, options, max_choices, month, days_open, voters in POLLS:
            house = self.houses[slug]
            members = self.members_of.get(slug)
            popularity = [rng.uniform(0.3, 2.0) for _ in options]
            if not members:
                continue
            opened = make_local(house.pilot_start + dt.timedelta(days=int(month * MONTH) + 3), dt.time(10))
            closes = make_local((opened + dt.timedelta(days=days_open)).date(), dt.time(20))
            who = _pick(rng, [m for m in members if m.joined < closes - dt.timedelta(days=1)], voters)
            choices = []
            for member in who:
                k = rng.randint(1, max_choices)
                picked = _pick(rng, [_Weighted(i, w) for i, w in enumerate(popularity)], k)
                at = max(opened, member.joined) + (closes - max(opened, member.joined)) * rng.uniform(
                    0.05, 0.9
                )
                choices.append((member, [p.value for p in picked], at))
            handler = self.coordinator if slug == "w4" else self.staff
            poll = Poll.objects.filter(house=house, question=question).first()
            if poll is None:
                poll = Poll.objects.create(
                    house=house,
                    question=question,
                    description=text,
                    max_choices=max_choices,
                    closes_at=closes,
                    results=Poll.Results.AFTER_CLOSE,
                    created_by=handler,
                    created_at=opened,
                )
                self._audit("poll.opened", actor=handler, target=poll, house=house, when=opened)
                self.created["polls"] += 1
            made = {o.text: o for o in poll.options.all()}
            new_options = [
                PollOption(poll=poll, text=option, position=i)
                for i, option in enumerate(options)
                if option not in made
            ]
            PollOption.objects.bulk_create(new_options)
            self.created["poll options"] += len(new_options)
            made.update({o.text: o for o in new_options})
            voted = set(PollBallot.objects.filter(poll=poll).values_list("person_id", flat=True))
            ballots, marks = [], []
            for member, picked, at in choices:
                if member.user.pk in voted:
                    continue
                ballot = PollBallot(
                    poll=poll,
                    person=member.user,
                    entered_by=handler if member.on_paper else None,
                    created_at=at,
                )
                ballots.append(ballot)
                marks.append((ballot, [made[options[i]] for i in picked]))
            PollBallot.objects.bulk_create(ballots)
            PollBallot.options.through.objects.bulk_create(
                [
                    PollBallot.options.through(pollballot=ballot, polloption=option)
                    for ballot, chosen in marks
                    for option in chosen
                ]
            )
            self.created["poll ballots"] += len(ballots)

    # --- news and the koffiekrant ----------------------------------------------------------------

    def news(self) -> None:
        """Older news, text only, through the news service as staff would write it."""
        monday = self.mondays
        posts = []  # (house, publish_at, title, summary, body, audience, author)
        for slug, day, title, summary, body, audience in POSTS:
            if slug not in monday:
                continue
            first = self.houses[slug].pilot_start
            if isinstance(day, tuple):  # a day of the year: the first one in the pilot
                date = dt.date(first.year, *day)
                date = date if date >= first else dt.date(first.year + 1, *day)
            else:
                date = first + dt.timedelta(days=day)
            posts.append((slug, make_local(date, dt.time(9, 30)), title, summary, body, audience, self.staff))
        for plan in PLANS:
            firsts = self.activities.get(plan.slug, {})
            for spec in plan.regulars:
                if spec.announce and spec.title in firsts:
                    at = firsts[spec.title].period.lower - dt.timedelta(days=8, hours=1)
                    title, body = spec.announce
                    author = self.daan if spec.organiser == DAAN else self.staff
                    posts.append((plan.slug, at, title, "", body, Post.Audience.PUBLIC, author))
            for spec in plan.specials:
                if spec.announce and spec.title in firsts:
                    start = firsts[spec.title].period.lower
                    at = start - dt.timedelta(days=9, hours=2)
                    local = localtime(start)
                    where = spec.place or "de huiskamer van W4"
                    body = (
                        f"{spec.description}\n\nWanneer: {local.day} {MONTH_NAMES[local.month - 1]}, "
                        f"van {spec.start} tot {spec.end} uur. Waar: {where}."
                    )
                    posts.append((plan.slug, at, spec.announce, "", body, Post.Audience.PUBLIC, self.staff))
        reports = [a for a in self.held.get("w4", []) if a.title == "Buurtoverleg"][::3]
        for n, activity in enumerate(reports):
            day = localtime(activity.period.lower)
            title = f"Verslag van het buurtoverleg van {day.day} {MONTH_NAMES[day.month - 1]}"
            posts.append(
                (
                    "w4",
                    activity.period.upper + dt.timedelta(days=2),
                    title,
                    "",
                    REPORTS[n % len(REPORTS)],
                    Post.Audience.MEMBERS,
                    self.staff,
                )
            )
        # The demo's own news begins about six weeks before its week; older news stops there.
        latest = {slug: make_local(monday[slug] - dt.timedelta(weeks=6), dt.time()) for slug in monday}
        have = set(Post.objects.filter(house__in=self.houses.values()).values_list("house_id", "title"))
        self.staff.forget_roles()
        made = []
        for slug, at, title, summary, body, audience, author in sorted(posts, key=lambda p: (p[1], p[2])):
            house = self.houses[slug]
            if at >= latest[slug] or (house.pk, title) in have:
                continue
            post = news_services.create_post(
                by=author,
                house=house,
                data={
                    "title": title,
                    "summary": summary,
                    "body": body,
                    "status": Post.Status.PUBLISHED,
                    "publish_at": at,
                    "pinned": False,
                    "audience": audience,
                    "comments_enabled": True,
                    "photo_consent": False,
                },
            )
            have.add((house.pk, title))
            made.append((post, at - dt.timedelta(hours=20)))
        for post, written in made:
            Post.objects.filter(pk=post.pk).update(created_at=written)
            with changing_the_trail():  # the demo's history is backdated; the trail is append-only
                AuditEvent.objects.filter(
                    action="news.created",
                    target_type=ContentType.objects.get_for_model(Post),
                    target_id=str(post.pk),
                ).update(created_at=written)
        self.created["older news posts"] += len(made)

    def koffiekrant(self) -> None:
        """A koffiekrant every week of W4's pilot (not in the Christmas week and three summer weeks);
        the last few published through the koffiekrant service, so they have their PDF."""
        house = self.houses["w4"]
        if "w4" not in self.mondays:
            return
        rng = random.Random(12)
        first = week_start(house.pilot_start) + dt.timedelta(weeks=2)
        last = self.mondays["w4"] - dt.timedelta(weeks=1)
        weeks = []
        for n in range((last - first).days // 7 + 1):
            monday = first + dt.timedelta(weeks=n)
            sunday = monday + dt.timedelta(days=6)
            summer = dt.date(monday.year, 7, 20) <= monday <= dt.date(monday.year, 8, 9)
            christmas = any(
                closed(monday + dt.timedelta(days=d)) and (monday + dt.timedelta(days=d)).month in (12, 1)
                for d in range(7)
            )
            word = FIRST_WORD if not weeks else rng.choice(WORDS)
            writer = rng.choice((self.daan, self.noor))
            if summer or christmas or sunday < house.pilot_start:
                continue
            weeks.append((monday, word, writer))
        have = set(Issue.objects.filter(house=house).values_list("week_start", flat=True))
        missing = [w for w in weeks if w[0] not in have]
        rows = []
        for monday, word, writer in missing:
            published_at = make_local(monday - dt.timedelta(days=2), dt.time(11))
            on_paper = monday >= last - dt.timedelta(weeks=PDF_WEEKS - 1)
            rows.append(
                Issue(
                    house=house,
                    week_start=monday,
                    students_word=word,
                    status=Issue.Status.DRAFT if on_paper else Issue.Status.PUBLISHED,
                    published_at=None if on_paper else published_at,
                    published_by=None if on_paper else self.coordinator,
                    updated_by=writer,
                )
            )
        Issue.objects.bulk_create(rows)
        # fontTools tells at INFO about every font it subsets for the PDF; the seed's output stays short.
        fonts = logging.getLogger("fontTools")
        level = fonts.level
        fonts.setLevel(max(level, logging.WARNING))
        try:
            self._publish(house, rows)
        finally:
            fonts.setLevel(level)
        self.created["koffiekrant issues"] += len(rows)

    def _publish(self, house: House, rows: list[Issue]) -> None:
        for issue in rows:
            if issue.status == Issue.Status.DRAFT:
                published_at = make_local(issue.week_start - dt.timedelta(days=2), dt.time(11))
                koffiekrant.publish_issue(
                    house=house, week_start=issue.week_start, by=self.coordinator, now=published_at
                )

    # --- the summary: targets and stories ---------------------------------------------------------

    def targets_and_stories(self) -> None:
        house = self.houses["w4"]
        if "w4" not in self.mondays:
            return
        have = set(Target.objects.filter(house=house).values_list("figure", flat=True))
        targets = [
            Target(house=house, figure=figure, value=value, updated_by=self.staff)
            for figure, value in W4_TARGETS.items()
            if figure not in have
        ]
        Target.objects.bulk_create(targets)
        self.created["targets"] += len(targets)
        monday = self.mondays["w4"]
        second_last = monday - dt.timedelta(days=3)
        second_first = second_last - dt.timedelta(weeks=13) + dt.timedelta(days=1)
        middle = second_first + (second_last - second_first) / 2
        stories = [
            (FIRST_STORY[0], house.pilot_start, house.pilot_start + dt.timedelta(days=90), FIRST_STORY),
            (SEASONS[middle.month], second_first, second_last, SECOND_STORY),
        ]
        for title, first_day, last_day, (_title, text, quotes) in stories:
            story = Story.objects.filter(house=house, title=title).first()
            if story is None:
                story = Story.objects.create(
                    house=house,
                    title=title,
                    first_day=first_day,
                    last_day=last_day,
                    text=_prose(text),
                    created_by=self.staff,
                    created_at=make_local(last_day, dt.time(16)),
                )
                self.created["stories"] += 1
            said = set(story.quotes.values_list("text", flat=True))
            new = [
                Quote(story=story, text=quote, said_by=who, position=i)
                for i, (quote, who) in enumerate(quotes)
                if quote not in said
            ]
            Quote.objects.bulk_create(new)
            self.created["quotes"] += len(new)


REPORTS = [
    "We spraken over de koffieochtend en over nieuwe activiteiten. Veel mensen willen graag meer "
    "bewegen. Noor kijkt of dat kan op woensdagochtend.",
    "Er waren vragen over het afval bij de containers. De woonstichting komt kijken. We spraken ook af "
    "dat de huiskamer op zaterdag langer open is.",
    "We keken terug op de afgelopen maanden. Wat ging goed: de clubs van bewoners. Wat kan beter: meer "
    "jonge gezinnen bereiken. Heb je een idee? Kom naar het volgende buurtoverleg.",
]


@dataclass
class _Weighted:
    """Something to pick by weight with _pick (an option of a poll)."""

    value: int
    weight: float


def _pick(rng: random.Random, pool: list, k: int) -> list:
    """k different items of `pool`, each picked with a chance in proportion to its weight."""
    pool = list(pool)
    chosen = []
    for _ in range(min(k, len(pool))):
        r = rng.random() * sum(item.weight for item in pool)
        for i, item in enumerate(pool):  # noqa: B007 -- i is used after the loop
            r -= item.weight
            if r <= 0:
                break
        chosen.append(pool.pop(i))
    return chosen


def _prose(text: str) -> str:
    """Paragraphs are separated by a blank line; a single line break inside one is only wrapping."""
    return "\n\n".join(" ".join(par.split()) for par in text.split("\n\n"))


def seed_history(houses: dict[str, House]) -> Counter[str]:
    """Create what is missing of the demo's pilot history; returns how many rows of each kind are new."""
    with transaction.atomic():
        return History(houses).run()
