"""The default driver: nothing leaves. The files stay on the ``Publication`` (shown on its
page); with ``PUBLISHING_OUTBOX_DIR`` set they are also written to that folder."""

import json
from pathlib import Path

from django.conf import settings

from publishing.drivers.base import Driver, Published


class OutboxDriver(Driver):
    name = "outbox"

    def publish(self, files, metadata):
        folder = getattr(settings, "PUBLISHING_OUTBOX_DIR", "")
        if folder:
            path = Path(folder)
            path.mkdir(parents=True, exist_ok=True)
            for f in files:
                (path / f.name).write_bytes(f.content)
            (path / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
            return Published(answer=f"outbox: {len(files)} files written to {path}")
        return Published(answer=f"outbox: {len(files)} files kept on this record; nothing sent")
