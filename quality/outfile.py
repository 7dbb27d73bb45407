"""Output files that appear whole or not at all.

Every output is written to a temporary file in the destination's own folder
(so the final rename stays on one file system and is atomic) and renamed
over the destination only when complete. A crash, a full disk or a signal
therefore never leaves a half-written file under the final name, and an old
file of that name is left as it was until the new one replaces it.

    with atomic_output("kept.jsonl") as handle:   # a binary file
        handle.write(b"...")
    # renamed into place here; on an exception the temporary file is removed

`AtomicOutput` is the same thing in two steps (`commit()` / `discard()`) for
callers that hold several outputs and rename them together.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

TEMP_PREFIX = ".quality-tmp-"


class AtomicOutput:
    """A binary file written beside `path` and renamed onto it by `commit()`.

    A destination that exists and is not a regular file (/dev/null, a named
    pipe) cannot be replaced: it is written to directly, as before.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.temp_path: Path | None = None
        try:
            mode = os.stat(self.path).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and not stat.S_ISREG(mode):
            self.file: BinaryIO = open(self.path, "ab")  # noqa: SIM115 - a device or pipe, closed in commit/discard
            return
        folder = self.path.parent
        descriptor, temp = tempfile.mkstemp(prefix=TEMP_PREFIX + self.path.name + ".", dir=folder)
        self.temp_path = Path(temp)
        if mode is not None:  # keep the permissions of the file it replaces
            with contextlib.suppress(OSError):
                os.chmod(descriptor, stat.S_IMODE(mode))
        else:  # mkstemp makes 0600; a new output gets the usual umask-based mode
            umask = os.umask(0)
            os.umask(umask)
            with contextlib.suppress(OSError):
                os.chmod(descriptor, 0o666 & ~umask)
        self.file = os.fdopen(descriptor, "wb")

    def finish(self) -> None:
        """Flush and sync the file, so a full disk shows here (OSError) and not after a rename."""
        if self.file.closed:
            return
        try:
            self.file.flush()
            if self.temp_path is not None:
                os.fsync(self.file.fileno())
            self.file.close()
        except OSError:
            self.discard()
            raise

    def commit(self) -> None:
        """Finish and rename the file into place (raises OSError, e.g. on a full disk).

        Several outputs meant to appear together: `finish()` each, then `commit()` each.
        """
        self.finish()
        if self.temp_path is not None:
            os.replace(self.temp_path, self.path)
            self.temp_path = None

    def discard(self) -> None:
        """Close and remove the temporary file; the destination is left as it was."""
        with contextlib.suppress(OSError):
            self.file.close()
        if self.temp_path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.temp_path)
            self.temp_path = None


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces `path` when the block ends normally, and vanishes when it raises."""
    output = AtomicOutput(path)
    try:
        yield output.file
    except BaseException:
        output.discard()
        raise
    output.commit()


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when both names exist and are one file (same device and inode: hard links, symlinks, bind mounts)."""
    try:
        return os.path.samestat(os.stat(a), os.stat(b))
    except OSError:
        return False
