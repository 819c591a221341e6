from accounts.models import User


def user_delete(*, user: User) -> None:
    """Delete a person's account and everything that only identifies them.

    Later features that keep records about a municipality (applications, minutes)
    detach the person here instead of deleting the municipality's records.
    """
    user.delete()
