"""Rebate payouts: an IB's unpaid commission lines gathered into one payout and paid into the IB's
enabled rebate account, through the ledger and the platform outbox (the funds movement base).

    pending ──approve──▶ approved ──platform done──▶ paid
       ▲ │
 release │ hold (reason)
       │ ▼
      held

- `services`: the hourly aggregation (`payouts_aggregate`) and staff's decisions;
- `selectors`: what the aggregation and the back office read;
- `tasks`: `aggregate_payouts` (beat, hourly).
"""
