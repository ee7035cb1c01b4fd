"""The demo register: real institutions and facilities from Oslo Economics (2020), with fictional contacts.

`records` holds the data, `loader` writes it (idempotently) and creates the demo users.
"""
