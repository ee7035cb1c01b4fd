"""Signals the catalogue sends so that later apps can add their part without the catalogue importing them."""

from django.dispatch import Signal

# Sent by `load_demo_register` after the demo institutions, facilities and resources are in place.
# Keyword arguments: resources (a list of catalogue.Resource that are bookable demo resources),
# with_demo_users (bool), users (dict e-mail -> accounts.User of the demo accounts; empty without
# --with-demo-users). Receivers must accept **kwargs. Booking connects it to give those resources calendars;
# pricing, cost bases and prices.
demo_register_loaded = Signal()
