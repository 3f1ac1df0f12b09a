"""Where uploaded files (news photos, koffiekrant PDFs) live: the local disk or S3-compatible object
storage, chosen by MEDIA_STORAGE. Used by settings.py; plain functions, so tests can call them.

On object storage the files stay private: every address the portal hands out (`file.url`) is signed
and expires after an hour; PDFs are read through the storage API and sent by the portal.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"


def default_storage(kind: str, get: Callable[[str], str | None]) -> dict:
    """STORAGES["default"] for MEDIA_STORAGE=`kind` ("local" or "s3"); `get(name)` reads a setting
    from the environment (None when unset)."""
    if kind == "local":
        return {"BACKEND": LOCAL_BACKEND}
    if kind != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'local' or 's3', not {kind!r}.")
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs django-storages: pip install -e '.[s3]'")
    bucket = get("AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    options: dict[str, object] = {
        "bucket_name": bucket,
        # Private files: no public-read ACL, signed addresses, never overwrite another upload.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": int(get("AWS_QUERYSTRING_EXPIRE") or 3600),
        "file_overwrite": False,
        # Signature version 4 everywhere; some regions and most S3-compatible services need it.
        "signature_version": "s3v4",
        "location": get("AWS_LOCATION") or "",
    }
    for env_name, option in [
        ("AWS_S3_ENDPOINT_URL", "endpoint_url"),
        ("AWS_S3_REGION_NAME", "region_name"),
        ("AWS_S3_ADDRESSING_STYLE", "addressing_style"),
        ("AWS_ACCESS_KEY_ID", "access_key"),
        ("AWS_SECRET_ACCESS_KEY", "secret_key"),
    ]:
        value = get(env_name)
        if value:
            options[option] = value
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


def media_origins(storage: dict) -> list[str]:
    """The origins that media addresses point to, for the Content-Security-Policy's img-src. Empty for
    local storage (the portal's own origin)."""
    if storage["BACKEND"] != S3_BACKEND:
        return []
    options = storage["OPTIONS"]
    endpoint = options.get("endpoint_url")
    if endpoint:
        parts = urlsplit(str(endpoint))
        # Path style (https://host/bucket/...) or virtual-hosted (https://bucket.host/...).
        return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://*.{parts.netloc}"]
    bucket, region = options["bucket_name"], options.get("region_name")
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return origins
