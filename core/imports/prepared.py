"""A clean dry run's parsed rows, kept for the commit (see ``core.imports.engine``).

The file holds the rows exactly as the dry run's parsers returned them, column by column (the
row numbers, then one list per mapped field: a tenth of the objects of a tuple per row to
pickle and unpickle), with the headers, mapping and row count, pickled and signed: the first
32 bytes are an HMAC-SHA256 of the rest keyed by ``SECRET_KEY`` (``salted_hmac``), so a file
we did not write is never unpickled. ``key`` ties it to the spec and its format version, the
file's sha256 and the arguments that decide how the file is read (sheet, mapping, file name)
and which LA it is for; ``load`` returns ``None`` for anything unreadable, unsigned or old, and
the commit then validates the file from scratch.

It is personal data (the same as the uploaded file it comes from): it lives next to the job's
file under ``MEDIA_ROOT`` and is deleted by the commit, by any change of the job's sheet or
mapping, and by a new dry run that finds errors.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import tempfile

from django.utils.crypto import salted_hmac

#: Bump when the stored form or any parser's output changes: older files are then ignored.
FORMAT = 2
_SALT = "core.imports.prepared"


def source_sha256(source):
    """sha256 of a path or a seekable file object (left at its start)."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    f = getattr(source, "file", source)
    f.seek(0)
    digest = hashlib.file_digest(f, "sha256").hexdigest()
    f.seek(0)
    return digest


def key(spec, digest, *, mapping, sheet, filename, local_authority):
    parts = {
        "format": FORMAT,
        "kind": spec.kind,
        "spec": f"{type(spec).__module__}.{type(spec).__qualname__}",
        "sha256": digest,
        "mapping": mapping,
        "sheet": sheet or "",
        "filename": os.path.basename(str(filename)) if filename else "",
        "la": getattr(local_authority, "pk", None),
    }
    return json.dumps(parts, sort_keys=True, default=str)


def _sign(data):
    return salted_hmac(_SALT, data, algorithm="sha256").digest()


def save(path, *, key, ctx, table):
    """Keep ``table`` (an ``engine.Table``) with what the commit needs to know about the pass."""
    names = [name for name, values in table.columns.items() if values is not None]
    payload = {
        "key": key,
        "numbers": table.numbers,
        "names": names,
        "columns": [table.columns[name] for name in names],
        "total_rows": ctx.total_rows,
        "headers": list(ctx.headers),
        "mapping": dict(ctx.mapping),
        "filename": ctx.filename,
        "header_row": ctx.header_row,
        "sheet_name": ctx.sheet_name,
    }
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    path = os.fspath(path)
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".prepared-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_sign(data))
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        discard(tmp)
        raise


def load(path):
    """The stored payload, or ``None`` when there is none we can trust."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError:
        return None
    signature, data = blob[:32], blob[32:]
    if len(signature) < 32 or not hmac.compare_digest(signature, _sign(data)):
        return None
    try:
        payload = pickle.loads(data)
    except Exception:
        return None
    if not isinstance(payload, dict) or "key" not in payload:
        return None
    return payload


def discard(path):
    try:
        os.remove(path)
    except (OSError, TypeError):
        pass
