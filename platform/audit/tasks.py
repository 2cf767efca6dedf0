"""The sequencer's periodic task: thin, idempotent, safe to run concurrently (see audit/sequencer.py)."""

from celery import shared_task

from audit.sequencer import audit_seal_backlog

# Long enough to work off a large backlog in one run, well inside the soft time limit; beat
# starts another run a second later anyway.
SEAL_RUN_SECONDS = 20.0


@shared_task(
    name="audit.seal", acks_late=True, reject_on_worker_lost=True, ignore_result=True, time_limit=60, soft_time_limit=50
)
def seal() -> int:
    # wait=False: if another sequencer holds the lock it is sealing right now, and this run
    # would only queue behind it.
    return audit_seal_backlog(wait=False, max_seconds=SEAL_RUN_SECONDS)
