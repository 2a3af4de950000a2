"""The audit trail: who did what to which object, when and why. Append-only."""
