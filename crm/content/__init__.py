"""Placements and popups shown in the client and IB portals."""
