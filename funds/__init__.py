"""Channels, deposits, withdrawals, transfers and the ledger."""
