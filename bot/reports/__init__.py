"""Pictures and files of the accountability office: the PNG chart, the /stats table, the ledger."""
