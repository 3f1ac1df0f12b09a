"""Placeholder: filled in by the worry_views work."""

urlpatterns: list = []
