"""System checks of the project's own settings (run by `manage.py check` and at every start)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register


@register()
def retention_periods(app_configs=None, **kwargs) -> list[Error]:
    """Every retention period is a whole number of days above zero: 0 would remove data the moment
    it is made, a negative number or a typo would keep it forever or stop the daily run."""
    from wijkhuis.retention import RULES

    names = {"WORRY_RETENTION_DAYS"} | {
        r.setting for r in RULES if r.setting and r.setting.startswith("RETENTION_")
    }
    errors = []
    for name in sorted(names):
        value = getattr(settings, name, None)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors.append(
                Error(
                    f"{name} must be a whole number of days, at least 1 (it is {value!r}).",
                    hint=f"Set {name} in the environment to a positive number of days, or remove it "
                    "for the default (see README, Retention).",
                    id="wijkhuis.E001",
                )
            )
    return errors
