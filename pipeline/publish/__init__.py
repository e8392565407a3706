"""What is published about a month: the bulletin's content, editions, 更正说明, problem lists, run
summaries, all-or-nothing snapshots.
"""
