"""Interoperability: exchange formats (FollowTheMoney, STIX 2.1, PFIF, CSV) for import and export."""
