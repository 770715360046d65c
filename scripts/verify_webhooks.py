#!/usr/bin/env python3
"""Verifies webhook deliveries with the official Standard Webhooks library.

Reads JSON on stdin:
    {"messages": [{"secret": "whsec_...", "headers": {"webhook-id": "..."}, "body": "<base64>"}]}
and writes JSON on stdout, one result per message, in order:
    {"library": "standardwebhooks 1.1.0",
     "results": [{"verified": true} | {"verified": false, "error": "..."}]}

The body travels as base64 so that its exact bytes reach the library. Exits with status 3 and a
message on stderr when the library is not installed.
"""

import base64
import json
import sys

try:
    from importlib.metadata import version

    from standardwebhooks.webhooks import Webhook, WebhookVerificationError
except ImportError as err:
    print(
        f"the Python package `standardwebhooks` is not importable by {sys.executable}: {err}",
        file=sys.stderr,
    )
    sys.exit(3)


def verify(message):
    try:
        body = base64.b64decode(message["body"])
        Webhook(message["secret"]).verify(body, message["headers"])
    except WebhookVerificationError as err:
        return {"verified": False, "error": f"WebhookVerificationError: {err}"}
    except Exception as err:  # a malformed header or secret is a rejection too
        return {"verified": False, "error": f"{type(err).__name__}: {err}"}
    return {"verified": True}


def main():
    request = json.load(sys.stdin)
    results = [verify(m) for m in request["messages"]]
    json.dump(
        {"library": f"standardwebhooks {version('standardwebhooks')}", "results": results},
        sys.stdout,
    )


if __name__ == "__main__":
    main()
