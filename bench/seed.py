"""Seeded data generator for benchmarks: many houses, members and pending requests.

    python -m bench.seed --houses 20 --members 500 --seed 1

Deterministic for a given --seed. Writes into the database `wijkhuis_bench` of the embedded
server (or DATABASE_URL).
"""

from __future__ import annotations

import argparse
import random


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--houses", type=int, default=10)
    parser.add_argument("--members", type=int, default=300, help="members per house")
    parser.add_argument("--pending", type=int, default=30, help="pending requests per house")
    parser.add_argument("--seed", type=int, default=1)
    opts = parser.parse_args(argv)

    from bench import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import transaction

    from residents.models import House, Membership, Organisation, Role, User

    call_command("migrate", verbosity=0)
    rng = random.Random(opts.seed)
    first = ["Anna", "Mehmet", "Fatima", "Jan", "Sevda", "Rachid", "Els", "Kees", "Nour", "Priya"]
    last = ["de Vries", "Yilmaz", "el Amrani", "Jansen", "Bakker", "Haddad", "Visser", "Kaya"]
    with transaction.atomic():
        owner, _ = Organisation.objects.get_or_create(
            name="Bench Wonen", defaults={"kind": Organisation.Kind.CORPORATION}
        )
        for h in range(opts.houses):
            house, _ = House.objects.get_or_create(
                slug=f"bench-{h}",
                defaults={
                    "name": f"Bench huis {h}",
                    "street": f"Benchstraat {h}",
                    "postcode": "1234 AB",
                    "city": "Benchdorp",
                    "owner": owner,
                },
            )
            users = [
                User(
                    email=f"bench-{h}-{i}@example.invalid",
                    name=f"{rng.choice(first)} {rng.choice(last)}",
                    password="!",
                )
                for i in range(opts.members + opts.pending)
            ]
            users = User.objects.bulk_create(users, ignore_conflicts=True)
            users = list(User.objects.filter(email__startswith=f"bench-{h}-"))
            Membership.objects.bulk_create(
                [
                    Membership(
                        user=u,
                        house=house,
                        role=Role.RESIDENT,
                        status=(Membership.Status.PENDING if i < opts.pending else Membership.Status.ACTIVE),
                    )
                    for i, u in enumerate(users)
                ],
                ignore_conflicts=True,
            )
    print(f"{opts.houses} houses with {opts.members} members and {opts.pending} pending each.")


if __name__ == "__main__":
    main()
