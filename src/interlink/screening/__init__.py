"""Screening: is this person, document, vehicle or object in anyone's database?"""
