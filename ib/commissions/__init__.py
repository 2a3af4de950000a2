"""The commission engine: mirrored closed deals → commission lines, set-based in SQL.

The rules, as `sql.py` applies them to a mirrored deal (not vanished, of one of our trading
accounts) of client C closed at T:

1. **Who**: C's IB at T is the `ClientAttribution` with effective_from ≤ T < effective_to (or
   open). No attribution, no lines. That IB earns at level 0, its ancestors (`IbAncestry`) at
   their depth.
2. **Which rule**: the plan of the level-0 IB, and that plan's published version with the latest
   effective_from ≤ T (equal effective_from: the higher number). No plan or no such version, no
   lines. Rates are in the plan's currency and a deal is paid only when its account's currency
   is the plan's (trading accounts are USD-only today; no conversion is attempted).
3. **Suspended IBs** earn nothing: their level is dropped before the cap, so it neither pays nor
   uses up the cap; the levels above still earn their own rate.
4. **Which rate** at each level, among the version's rates of that level that match the deal
   (symbol empty or equal, symbol group empty or equal, account type empty or equal): the most
   specific, scored symbol override 4 + symbol group 2 + account type 1, highest wins; so a symbol
   override of any type beats a group rate for the account's own type, and a group rate of any
   type beats an any-group rate for the account type. Equal scores: the lowest rate id. No rate
   at a level: nothing for that level.
5. **How much**: per_lot × lots + commission_percent % × |commission| + spread_percent % ×
   spread_cost, rounded to cents half up (away from zero), identically on PostgreSQL and SQLite
   (integer arithmetic, see `sql.py`). Amounts of zero or less: no line.
6. **Cap**: with `cap_per_lot`, the levels together earn at most cap × lots (rounded half up to
   cents): levels are paid from level 0 upward, the one that crosses the cap gets the remainder,
   those above get nothing (no line, never a zero line).

A line is one per (deal, receiving IB, deal revision, kind) — the unique key is the backstop of
every write. A deal corrected on the platform (revision moved) or deleted (vanished) has each of
its unreversed lines reversed (kind reversal, −amount, `reverses` the line, the reversed line's
revision) and, if it still exists, is priced again at its new revision; lines are never edited.
"""
