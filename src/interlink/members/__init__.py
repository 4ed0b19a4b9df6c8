"""The member network: countries, their bureaus, the secretariat, users, API clients, groups."""
