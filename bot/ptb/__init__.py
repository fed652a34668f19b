"""python-telegram-bot 22 adapter: updates in, messages and keyboards out; nothing else."""

import os

# Opt in to PTB's future behaviour now: RetryAfter.retry_after as a timedelta (the transport
# reads either form), instead of a deprecation warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")
