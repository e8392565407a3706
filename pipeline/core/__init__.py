"""The small core every stage stands on: months, money, rules, the problem codes, text, paths,
atomic writes.
"""
