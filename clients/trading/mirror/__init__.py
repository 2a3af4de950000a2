"""The mirror of the trading platforms: closed deals copied into our tables, so reports, commissions
and dashboards never ask a platform on the hot path (see ARCHITECTURE "Reading the platform")."""
