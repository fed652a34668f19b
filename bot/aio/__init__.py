"""aiogram 3 adapter: the same conversation, dispatch and outbox as the PTB adapter, with
aiogram's routers grouping the handlers by audience (citizens / department groups)."""
