"""``python -m bench.profile WORKLOAD [N] [PEER]``: pyinstrument profile of N in-process
calls of one registered workload's subject (or PEER) against the last run's data
(var/bench/; set DATABASE_URL for a PostgreSQL run's), printed as text."""

from __future__ import annotations

import os
import sys


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "listing"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    url = os.environ.get("SEARCH_URL", "")
    os.environ.setdefault("BENCH_SEARCH_URL", url)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from pyinstrument import Profiler

    from accounts.models import PortalToken, User

    from .runner import SIZES
    from .workloads import REGISTRY, Context, peers_of

    admin = User.objects.get(email="admin@bench.example")
    _, token = PortalToken.generate(user=admin)
    ctx = Context(
        base={"admin": admin, "admin_token": token}, conf=SIZES["small"], log=print
    )
    workload = REGISTRY[name]
    peer = sys.argv[3] if len(sys.argv) > 3 else workload.subject
    call = peers_of(ctx, workload)[peer].call
    call()
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(n):
            call()
    show_all = os.environ.get("PROFILE_ALL") == "1"
    sys.stdout.write(profiler.output_text(unicode=True, color=False, show_all=show_all))


if __name__ == "__main__":
    main()
