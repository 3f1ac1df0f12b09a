"""Texts of Django and allauth that we word our own way.

Our catalogue (LOCALE_PATHS) takes precedence over the ones packages ship, so listing a package's
msgid here lets makemessages keep it in locale/*/django.po, where it gets our Dutch: informal "je"
instead of "u", and our terms ("Account maken", "inloggen"). Nothing imports this module.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

PACKAGE_TEXTS = [
    # Django's password rules (shown on sign-up and password pages)
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    # allauth
    gettext_noop("Sign Up"),
    gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s."),
    gettext_noop("Please contact us if you have any trouble resetting your password."),
]
