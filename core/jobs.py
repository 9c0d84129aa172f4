"""Jobs asked for while the broker may be down: recorded first, handed over when it can.

`enqueue(name, *args)` writes a `QueuedTask` row in the caller's transaction and, once
that commits, hands it to Celery. If Redis does not answer, the row stays `pending` and
the request goes on normally; `relay()` hands over every pending row, oldest first, and
runs every minute from the beat (`osm.tasks.relay_queued_tasks`), when a worker starts and
before each new hand-over. Each row is handed over once: it is claimed with
`SELECT … FOR UPDATE SKIP LOCKED` and marked `sent` right after the broker took it. The one
window for a second hand-over (the broker took it, the mark did not commit) is covered by
the task id, which is the row's, and by the jobs themselves, which are safe to run twice.
Without Redis (`CELERY_TASK_ALWAYS_EAGER`) the task runs inline at commit, as before.
"""

import logging

from celery import current_app
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from .models import QueuedTask

logger = logging.getLogger(__name__)


def enqueue(name: str, *args, **kwargs) -> QueuedTask:
    """Record the job `name(*args, **kwargs)` and hand it to the broker after commit."""
    row = QueuedTask.objects.create(name=name, args=list(args), kwargs=kwargs)
    transaction.on_commit(relay)
    return row


def _hand_over(row: QueuedTask) -> None:
    signature = current_app.signature(row.name, args=row.args, kwargs=row.kwargs)
    if current_app.conf.task_always_eager:
        signature.apply(task_id=str(row.task_id))
    else:
        # No retries here: a broker that does not answer at once is down; the row waits.
        signature.apply_async(task_id=str(row.task_id), retry=False)


def relay(batch: int = 100) -> int:
    """Hand every pending job to the broker; stops at the first refusal (Redis is down:
    the rest wait for the next relay). Returns how many were handed over."""
    handed = 0
    while True:
        with transaction.atomic():
            rows = list(
                QueuedTask.objects.filter(status=QueuedTask.Status.PENDING)
                .order_by("id")
                .select_for_update(skip_locked=True)[:batch]
            )
            if not rows:
                return handed
            for row in rows:
                try:
                    _hand_over(row)
                except (BrokerUnavailable, OSError) as exc:
                    QueuedTask.objects.filter(pk=row.pk).update(
                        attempts=row.attempts + 1, error=f"{type(exc).__name__}: {exc}"[:2000]
                    )
                    logger.warning("Broker unavailable; %s waits in the database.", row)
                    return handed
                QueuedTask.objects.filter(pk=row.pk).update(
                    status=QueuedTask.Status.SENT, sent_at=timezone.now(), attempts=row.attempts + 1
                )
                handed += 1
