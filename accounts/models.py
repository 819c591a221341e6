from asgiref.sync import sync_to_async
from django.contrib.auth.models import (
    AbstractBaseUser,
    PermissionsMixin,
    UserManager,
    _user_has_module_perms,
    _user_has_perm,
)
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.enums import Language
from core.validators import validate_single_line


class EmailUserManager(UserManager):
    """Create users by e-mail; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person using the platform, identified by e-mail, addressed in their language."""

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True,
                            validators=[validate_single_line])
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language, default=Language.GERMAN
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Project staff: may log in to the admin (two-factor required)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = EmailUserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name or self.email

    # No superuser shortcut (Django's PermissionsMixin answers True to everything for an
    # active superuser without asking anyone): the rules in accounts/permissions.py decide,
    # so a superuser needs a second factor like all staff and changes an applicant's entry
    # only in the admin. Django's model permissions (a superuser's all, groups, per-user
    # ones) count only for staff with a second factor. has_perms asks has_perm for each.
    def has_perm(self, perm, obj=None):
        if permissions.is_staff(self):
            return _user_has_perm(self, perm, obj)
        return permissions.PermissionBackend().has_perm(self, perm, obj)

    def has_module_perms(self, app_label):
        return permissions.is_staff(self) and _user_has_module_perms(self, app_label)

    async def ahas_perm(self, perm, obj=None):
        return await sync_to_async(self.has_perm)(perm, obj)

    async def ahas_module_perms(self, app_label):
        return await sync_to_async(self.has_module_perms)(app_label)

    @property
    def needs_second_factor(self) -> bool:
        """A staff account whose rights wait for an authenticator app (for templates)."""
        return permissions.needs_second_factor(self)
