"""The IB portal's API (`ib.*`) but the dashboard's: the IB's profile and referral link, its clients and
their accounts, its rebate records and accounts. Messages are `crm.inbox.api`'s."""
