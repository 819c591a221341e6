"""What the benchmarks share: a throwaway database of their own around a run."""

from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment


def in_throwaway_database(run, *args) -> None:
    """Call ``run(*args)`` in a new database (``bench_<name>``, in memory on SQLite) that is
    dropped afterwards, so a benchmark never touches real data."""
    test_settings = connection.settings_dict.setdefault("TEST", {})
    test_settings["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    if connection.vendor == "sqlite":
        test_settings["NAME"] = ""  # an in-memory database
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(*args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        teardown_test_environment()
