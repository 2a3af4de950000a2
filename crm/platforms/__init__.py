"""The trading-platform gateway: one interface to MT4/MT5 servers, and the outbox of operations on them.

Other apps talk to a platform in two ways:
- reads (account state, deals, positions, orders, symbols) call `gateway_for(server)` directly;
- writes (accounts, leverage, passwords, money) go through `platform_operation_enqueue`, inside the
  caller's transaction, so a platform call happens once the state that asked for it is committed,
  is retried when the platform is slow or down, and is applied at most once (idempotency keys).
"""
