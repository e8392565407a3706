"""Managers' scorecards, pay lines, new-business claims, the director's sign-off and the pay
statements.
"""
