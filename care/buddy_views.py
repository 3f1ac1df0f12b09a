"""Placeholder: filled in by the buddy_views work."""

urlpatterns: list = []
