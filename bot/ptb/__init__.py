"""python-telegram-bot 22 adapter: updates in, messages and keyboards out; nothing else."""
