"""What every Datastore driver does, and the two ways it can fail."""

from dataclasses import dataclass


@dataclass
class Published:
    """The provider accepted every file and the metadata. ``answer``: what it said (kept)."""

    answer: str


class TemporaryFailure(Exception):
    """Try again later: a 5xx, a timeout, a refused connection."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = str(reason)[:300]


class PermanentFailure(Exception):
    """Trying again will not help until someone changes something: a 401/403 (the API key), a
    413 (the file is too big for the endpoint), a 404 (the dataset id), a 400."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = str(reason)[:300]


@dataclass
class File:
    name: str
    content: bytes
    content_type: str
    title: str
    #: the setting naming the provider's resource to replace (``None``: add a new one)
    resource_id: str = ""


class Driver:
    """``publish(files, metadata)`` uploads every file, then updates the dataset's metadata,
    and returns ``Published`` or raises one of the failures. Metadata is written only after
    every file is in, so a reader never sees a new period announced over old files."""

    name = "base"

    def publish(self, files, metadata):  # pragma: no cover - interface
        raise NotImplementedError
