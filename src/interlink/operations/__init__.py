"""Command-centre operations (coordinated actions with participating countries, targets,
tasks, results) and incident responses (team deployed, requests to members)."""
