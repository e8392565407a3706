"""Satisfaction surveys: reading the returns and summarising them."""
