"""Introducing brokers: hierarchy, referrals, rebate plans and commissions."""
