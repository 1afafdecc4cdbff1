from django.core.management.base import BaseCommand

from search.models import PendingIndexUpdate
from search.services import pending_index_updates_replay


class Command(BaseCommand):
    help = (
        "Replay the index updates the search engine missed while it was down, "
        "whichever process missed them (run from cron every minute; the searches "
        "and /health/ of every process also replay them)."
    )

    def handle(self, *args, **options):
        waiting = PendingIndexUpdate.objects.count()
        done = 0
        while True:
            batch = pending_index_updates_replay()
            done += batch
            if batch == 0 or not PendingIndexUpdate.objects.exists():
                break
        left = PendingIndexUpdate.objects.count()
        self.stdout.write(
            f"Replayed {done} of {waiting} pending index updates; {left} left."
        )
        if left:
            raise SystemExit(1)
