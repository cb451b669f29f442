"""The London Datastore's DataPress API (https://datapress.com/docs/api/).

The part we use:

- ``GET  {url}/api/dataset/{id}``: the dataset JSON, with ``resources`` keyed by resource id;
- ``POST {url}/api/dataset/{id}/resources``: add a file (multipart ``file``, ``title``);
- ``POST {url}/api/dataset/{id}/resources/{resource_id}``: replace that file;
- ``PATCH {url}/api/dataset/{id}``: a JSON Patch of the dataset's metadata.

Every request carries the API key in the ``Authorization`` header.

Never half-published: every file is uploaded first, and the metadata (licence, contact, each
file's period) is patched only when all are in. A retry looks the dataset up again and replaces
a file already uploaded under the same title (the title names the period) instead of adding a
second copy, so a publication that failed after its first file converges on one file each.
"""

import json

import requests
from django.conf import settings

from publishing.drivers.base import Driver, PermanentFailure, Published, TemporaryFailure


class DataPressDriver(Driver):
    name = "datapress"

    def __init__(self):
        self.base = getattr(settings, "PUBLISHING_DATAPRESS_URL", "").rstrip("/")
        self.key = getattr(settings, "PUBLISHING_DATAPRESS_API_KEY", "")
        self.dataset = getattr(settings, "PUBLISHING_DATAPRESS_DATASET", "")
        self.timeout = getattr(settings, "PUBLISHING_TIMEOUT", 30.0)
        self.session = requests.Session()
        self.session.headers["Authorization"] = self.key

    def _call(self, method, path, **kw):
        if not (self.base and self.key and self.dataset):
            raise PermanentFailure("DataPress is not configured (PUBLISHING_DATAPRESS_URL, _API_KEY, _DATASET)")
        try:
            response = self.session.request(method, f"{self.base}/api/dataset/{self.dataset}{path}", timeout=self.timeout, **kw)
        except requests.Timeout:
            raise TemporaryFailure(f"{method} {path or '/'}: no answer within {self.timeout:g} s") from None
        except requests.RequestException as exc:
            raise TemporaryFailure(f"{method} {path or '/'}: {exc.__class__.__name__}") from None
        if response.status_code >= 400:
            reason = f"{method} {path or '/'}: HTTP {response.status_code} {response.text[:200]}"
            if response.status_code >= 500 or response.status_code == 429:
                raise TemporaryFailure(reason)
            raise PermanentFailure(reason)
        try:
            return response.json()
        except ValueError:
            raise TemporaryFailure(f"{method} {path or '/'}: the answer was not JSON") from None

    def publish(self, files, metadata):
        dataset = self._call("GET", "")
        by_title = {r.get("title"): rid for rid, r in (dataset.get("resources") or {}).items()}
        uploaded = {}
        for f in files:
            rid = f.resource_id or by_title.get(f.title)
            path = f"/resources/{rid}" if rid else "/resources"
            answer = self._call("POST", path, files={"file": (f.name, f.content, f.content_type)}, data={"title": f.title})
            found = {r.get("title"): k for k, r in (answer.get("resources") or {}).items()}
            rid = rid or found.get(f.title)
            if not rid:
                raise TemporaryFailure(f"DataPress did not list the uploaded file {f.name}")
            uploaded[f.name] = rid
        patch = [
            {"op": "replace", "path": "/licence", "value": metadata["licence"]["id"]},
            {"op": "replace", "path": "/maintainer", "value": metadata["contact"]["name"]},
        ]
        for rid in uploaded.values():
            patch.append({"op": "replace", "path": f"/resources/{rid}/description", "value": metadata["description"]})
            patch.append({"op": "replace", "path": f"/resources/{rid}/timeFrame", "value": {"from": metadata["period"], "to": metadata["period"]}})
        final = self._call("PATCH", "", data=json.dumps(patch), headers={"Content-Type": "application/json"})
        return Published(answer=json.dumps({"dataset": final.get("id", self.dataset), "resources": uploaded, "updatedAt": final.get("updatedAt")}))
