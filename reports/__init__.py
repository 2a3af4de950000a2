"""Report queries and export jobs."""
