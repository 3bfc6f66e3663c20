"""A fuzz worker: reads one JSON request per line on stdin, runs the check
it names and writes one JSON reply per line. The replies go to the
original stdout; anything else printed (by Python or native code) goes to
stderr, so it cannot corrupt the protocol."""

from __future__ import annotations

import json
import os
import sys
import traceback


def main() -> None:
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    from .checks import CHECKS

    for line in sys.stdin:
        request = json.loads(line)
        try:
            reply = CHECKS[request["check"]](request["program"], request["seed"])
        except Exception:  # noqa: BLE001 - the check itself failed
            reply = {"ok": False, "message": traceback.format_exc()}
        replies.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
