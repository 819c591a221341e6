"""What the benchmarks share: a throwaway database of their own around a run."""

from django.conf import settings
from django.db import connection
from django.test.utils import override_settings


def in_throwaway_database(run, *args) -> None:
    """Call ``run(*args)`` in a new database (``bench_<name>``, in memory on SQLite) that is
    dropped afterwards, so a benchmark never touches real data.

    Not ``setup_test_environment()``: its instrumented template rendering (a signal and a
    context copy per template) would make every page and mail look slower than it is.
    """
    test_settings = connection.settings_dict.setdefault("TEST", {})
    test_settings["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    if connection.vendor == "sqlite":
        test_settings["NAME"] = ""  # an in-memory database
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        # The test client's host, for the query counts through the real views.
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            run(*args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
