"""Writing the files a user asked for (reports, paperwork, exports) so that a failure is clear and leaves no
half-written file behind.

A regular file is written to a temporary file beside it, flushed to disk and then renamed over the target, so
the target is either the old file or the whole new one. Something that is not a regular file (a device, a pipe)
is written to directly. A full disk (ENOSPC, EDQUOT) or any other failure raises :class:`WriteFailed` with a
message that says where.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from pos_returns.i18n import N_, UserError


class WriteFailed(UserError):
    """A file could not be written; nothing half-written was left at its place."""


class DiskFull(WriteFailed):
    pass


def failure(path: str | Path, exc: OSError) -> WriteFailed:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull(N_("{path}: the disk is full; the file was not written. Free space and try again."),
                        path=str(path))
    return WriteFailed(N_("{path}: cannot write the file ({error})."), path=str(path),
                       error=exc.strerror or str(exc))


def write_output(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` whole, or raise WriteFailed and leave no partial file."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():  # a device or a pipe: nothing to rename over
        try:
            with open(target, "wb") as fh:
                fh.write(raw)
                fh.flush()
        except OSError as exc:
            raise failure(path, exc) from None
        return path
    tmp = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with open(tmp, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise failure(path, exc) from None
    return path


def remove(path: str | Path) -> None:
    """Remove a file if it is there (a claim of completeness that no longer holds)."""
    try:
        Path(path).unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise failure(path, exc) from None
