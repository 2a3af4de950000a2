"""The back office's home: the work waiting for staff and today's money, filled in by the apps.

`crm` sits below every domain app, so it cannot import their models; each app registers its queues
and daily totals here from its `AppConfig.ready()` (see `registry`), and the admin index reads them
through `selectors`.
"""
