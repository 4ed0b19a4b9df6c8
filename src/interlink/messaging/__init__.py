"""Secure messaging between bureaus, the secretariat and the command centre."""
