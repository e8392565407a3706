"""Reading what the counties send: files of a month, the grid-and-cell toolkit, one reader per
sheet kind, the reference data.
"""
