"""(issue 17: to be written)"""
