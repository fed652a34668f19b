"""The accountability office (治庸问责办): findings, officials, KPIs, corrections, audit.

Pure domain: no Telegram, no SQL. Services take (ctx, uow, ...) and return values.
"""
