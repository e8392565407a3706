"""Closing the loop with the counties: each county's own workbook returned with its problems
marked (问题反馈), the chase list of counties that must send again and their notices (催报)."""
