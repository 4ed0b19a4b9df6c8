"""Interoperability: exchange formats (FollowTheMoney, STIX 2.1, PFIF, CSV)."""
