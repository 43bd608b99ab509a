"""A tiny Django app carrying the ``seed_demo`` management command (demo data made with the factories).

Listed in INSTALLED_APPS as "support.seeding"; PRS itself never imports it.
"""
