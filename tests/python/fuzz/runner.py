"""Runs fuzz checks in a worker process, so that a crash (an LLVM assertion,
a segfault) or a hang fails the one case that caused it, with the program,
instead of killing the test run. The worker restarts after a crash."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Worker:
    def __init__(self, timeout: float = 300.0) -> None:
        self.timeout = timeout
        self.process: subprocess.Popen | None = None
        self.stderr = tempfile.TemporaryFile()

    def _start(self) -> subprocess.Popen:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([TESTS_DIR, *sys.path]))
        self.stderr.seek(0)
        self.stderr.truncate()
        return subprocess.Popen([sys.executable, "-m", "fuzz.worker"], cwd=TESTS_DIR, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=self.stderr, text=True)

    def check(self, check: str, program: dict, seed: int) -> dict:
        """The worker's reply, or a failed one saying how the worker died."""
        if self.process is None or self.process.poll() is not None:
            self.process = self._start()
        request = json.dumps({"check": check, "program": program, "seed": seed})
        try:
            self.process.stdin.write(request + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            return self._died()
        ready, _, _ = select.select([self.process.stdout], [], [], self.timeout)
        if not ready:
            self.process.kill()
            self.process.wait()
            self.process = None
            return {"ok": False, "message": f"hung for more than {self.timeout:.0f} s"}
        line = self.process.stdout.readline()
        if not line:
            return self._died()
        return json.loads(line)

    def _died(self) -> dict:
        code = self.process.wait()
        self.process = None
        how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
        self.stderr.seek(0)
        tail = self.stderr.read()[-2000:].decode(errors="replace")
        return {"ok": False, "crashed": True, "message": f"the worker crashed ({how}):\n{tail}"}

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait()
        self.stderr.close()
