"""What the month's data says: volumes, key-account tiers, alerts, visits, the archive, quarterly
tables.
"""
