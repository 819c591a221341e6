class EditConflict(Exception):
    """Someone else saved first (optimistic locking): nothing was written.

    ``current`` is the object as it is now saved, so the page can show both texts and the
    person can merge them and save again on top of ``current.version``.
    """

    def __init__(self, current):
        super().__init__(f"{current!r} changed to version {current.version}")
        self.current = current
