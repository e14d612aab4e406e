"""The demo's simulated workspace: people with functions, levels, time zones, goals and skills,
and how each of them behaves. The same seed always gives the same people and the same choices."""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

FIRST_NAMES: Final = (
    "Ana", "Ben", "Chloé", "Dev", "Eitan", "Fatima", "Gus", "Hana", "Ifeoma", "Jonas",
    "Kemi", "Lars", "Mei", "Nico", "Olu", "Priya", "Quinn", "Rosa", "Sami", "Tomás",
    "Uma", "Vik", "Wen", "Xavi", "Yara", "Zeb", "Aoife", "Bruno", "Carmen", "Dmitri",
    "Elif", "Farid", "Greta", "Hugo", "Ines", "Jamal", "Kasia", "Luca", "Maya", "Noor",
)  # fmt: skip
LAST_NAMES: Final = (
    "Lima", "Okafor", "Martin", "Patel", "Cohen", "Haddad", "Berg", "Sato", "Eze", "Weber",
    "Adeyemi", "Nilsson", "Chen", "Rossi", "Bello", "Rao", "Kelly", "Díaz", "Aziz", "Silva",
    "Novak", "Iyer", "Zhang", "Puig", "Moreno", "Moreau", "Byrne", "Costa", "Ruiz", "Petrov",
)  # fmt: skip
# Functions and goal tags are values the profile modal offers (bot.enrolment).
FUNCTIONS: Final = (
    "engineering", "product", "design", "data", "sales", "marketing", "customer-success",
    "operations", "finance", "people",
)  # fmt: skip
# Zones whose working days overlap, as a company spread over Europe and the Americas.
ZONES: Final = (
    "Europe/London", "Europe/Berlin", "Europe/Madrid", "America/New_York", "America/Chicago",
)  # fmt: skip
GOALS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("Give clearer feedback to the people I work with", ("giving-feedback", "coaching")),
    ("Speak up with more confidence in leadership meetings", ("confidence", "presenting")),
    ("Delegate more and stop being the bottleneck", ("delegation", "first-time-manager")),
    ("Plan my next career step", ("career-growth", "promotion")),
    ("Protect focus time and say no more often", ("focus", "prioritisation")),
    ("Handle difficult conversations calmly", ("difficult-conversations", "conflict")),
    ("Influence teams I do not manage", ("influence", "stakeholders")),
    ("Run better one-to-ones with my team", ("one-to-ones", "coaching")),
    ("Get more comfortable presenting to customers", ("public-speaking", "customer-empathy")),
    ("Keep a healthier work-life balance", ("work-life-balance", "resilience")),
)
SKILLS: Final = (
    "writing", "negotiation", "hiring", "data-literacy", "system-design", "storytelling",
    "project-management", "meetings", "decision-making", "networking",
)  # fmt: skip


class CheckinStyle(StrEnum):
    """How someone answers the weekly check-in."""

    BUTTONS = "buttons"  # a rating button, then the modal
    MODAL = "modal"  # straight to the modal
    WORDS = "words"  # a line of plain text in the DM
    NEVER = "never"  # never answers: the ghost path


class Part(StrEnum):
    """The one-off thing a person does in the story, besides taking part."""

    NONE = "none"
    PAUSES = "pauses"  # `pause 2 weeks` after the first round
    AWAY = "away"  # a holiday status in Slack over one round
    LEAVES = "leaves"  # `leave` half way through


@dataclass(frozen=True, slots=True)
class DemoPerson:
    user_id: str
    name: str
    function: str
    level: int
    zone: str
    goal: str
    goal_tags: tuple[str, ...]
    skills: tuple[str, ...]
    in_circle: bool
    mentee: bool
    mentor: bool
    checkin_style: CheckinStyle
    meets: float  # the chance their group meets in a round, as they see it
    part: Part

    @property
    def first_name(self) -> str:
        return self.name.split(" ")[0]


@dataclass(frozen=True, slots=True)
class Population:
    admin: DemoPerson
    people: tuple[DemoPerson, ...]

    def by_id(self) -> dict[str, DemoPerson]:
        return {p.user_id: p for p in (self.admin, *self.people)}

    def with_part(self, part: Part) -> DemoPerson | None:
        return next((p for p in self.people if p.part is part), None)


MIN_PEOPLE: Final = 8
MAX_PEOPLE: Final = 400
# Shares of the population, as a programme team would see them in a first quarter.
CIRCLE_SHARE: Final = 0.3
MENTEES: Final = 3
MENTORS: Final = 2
STYLE_WEIGHTS: Final = {
    CheckinStyle.BUTTONS: 0.35,
    CheckinStyle.MODAL: 0.2,
    CheckinStyle.WORDS: 0.3,
    CheckinStyle.NEVER: 0.15,
}


def generate(count: int, seed: int) -> Population:
    """`count` people and an admin from the People team who runs the programme."""
    if not MIN_PEOPLE <= count <= MAX_PEOPLE:
        raise ValueError(f"the demo needs {MIN_PEOPLE} to {MAX_PEOPLE} people")
    rng = random.Random(seed)
    names = _names(rng, count + 1)
    admin = DemoPerson(
        user_id="U0ADMIN00",
        name=names[0],
        function="people",
        level=5,
        zone=ZONES[0],
        goal="",
        goal_tags=(),
        skills=(),
        in_circle=False,
        mentee=False,
        mentor=False,
        checkin_style=CheckinStyle.NEVER,
        meets=0.0,
        part=Part.NONE,
    )
    people: list[DemoPerson] = []
    mentor_slots = set(range(MENTORS))
    mentee_slots = set(range(MENTORS, MENTORS + MENTEES))
    # The one-off parts go to people who are in no other programme, so their story is simple.
    parts = {count - 1: Part.LEAVES, count - 2: Part.AWAY, count - 3: Part.PAUSES}
    # A circle needs at least three people; the rest of the circle joiners are drawn by chance.
    free = [n for n in range(MENTORS + MENTEES, count) if n not in parts]
    circle = set(free[:3]) | {n for n in free[3:] if rng.random() < CIRCLE_SHARE}
    for n in range(count):
        goal, tags = GOALS[rng.randrange(len(GOALS))]
        mentor = n in mentor_slots
        part = parts.get(n, Part.NONE)
        style = rng.choices(list(STYLE_WEIGHTS), weights=list(STYLE_WEIGHTS.values()))[0]
        people.append(
            DemoPerson(
                user_id=f"U0DEMO{n:03d}",
                name=names[n + 1],
                function=FUNCTIONS[n % len(FUNCTIONS)],
                # Mentees are at least two levels below the mentors, as matching requires.
                level=5 if mentor else rng.choice((2, 3) if n in mentee_slots else (2, 3, 3, 4)),
                # A circle meets as one group: its people share European working hours.
                zone=rng.choice(ZONES[:3] if n in circle else ZONES),
                goal=goal,
                goal_tags=tags,
                skills=tuple(rng.sample(SKILLS, 2)),
                in_circle=n in circle,
                mentee=n in mentee_slots,
                mentor=mentor,
                checkin_style=style,
                meets=0.0 if style is CheckinStyle.NEVER else rng.uniform(0.55, 0.95),
                part=part,
            )
        )
    return Population(admin=admin, people=tuple(people))


def _names(rng: random.Random, count: int) -> list[str]:
    """Distinct full names; numbered once the name lists run out (a very large demo)."""
    pairs = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(pairs)
    names: list[str] = []
    seen: set[str] = set()
    for n in range(count):
        first, last = pairs[n % len(pairs)]
        name = f"{first} {last}"
        while name in seen:
            name = f"{name} {n}"
        seen.add(name)
        names.append(name)
    return names
