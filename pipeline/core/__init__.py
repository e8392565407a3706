"""The small core every stage stands on: months, money, rules, the problem codes, the data
contract's tables, text, paths, atomic writes.
"""
