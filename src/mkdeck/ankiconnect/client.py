"""A small client for AnkiConnect, the add-on that lets programs talk to a running Anki.

AnkiConnect (add-on code 2055492159, https://git.foosoft.net/alex/anki-connect) listens on
``http://127.0.0.1:8765`` and answers one JSON request per HTTP POST::

    {"action": "findNotes", "version": 6, "params": {"query": "deck:Linux"}, "key": "..."}
    -> {"result": [1701613701250], "error": null}

This module speaks that protocol with the standard library only (``urllib``, ``json``) and
turns every way it can fail into one :class:`AnkiConnectError` subclass whose message says
what happened and how to fix it. It does not print or exit (``mkdeck.cli`` does).

Failures a user meets, and the class raised:

* :class:`AnkiUnreachable`: nothing listens at the URL (Anki not running, or AnkiConnect not
  installed), or what answers is not AnkiConnect;
* :class:`AnkiKeyRejected`: AnkiConnect's ``apiKey`` setting is set and the key sent
  (``ANKI_CONNECT_KEY``) is missing or different;
* :class:`AnkiActionUnsupported`: the installed AnkiConnect is too old for an action;
* :class:`AnkiBusy`: Anki has no collection open or the collection is locked (a modal dialog:
  the profile window, a sync, Check Database);
* :class:`AnkiTimeout`: no answer within the timeout (Anki frozen or busy with a dialog);
* :class:`AnkiActionFailed`: AnkiConnect ran the action and reported an error.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

LOG = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:8765"
URL_ENV = "ANKI_CONNECT_URL"
KEY_ENV = "ANKI_CONNECT_KEY"
ADDON_CODE = "2055492159"
# The protocol version mkdeck speaks (AnkiConnect README, "Supported actions" use version 6).
API_VERSION = 6
DEFAULT_TIMEOUT = 60.0

INSTALL_HINT = (
    f"start Anki; if it is running, install AnkiConnect: in Anki, Tools > Add-ons > Get "
    f"Add-ons..., code {ADDON_CODE}, then restart Anki"
)


class AnkiConnectError(Exception):
    """A request to AnkiConnect failed; ``str(exc)`` says what happened and how to fix it.

    Attributes:
        url: the AnkiConnect URL.
        action: the action being run ("" when not known).
    """

    def __init__(self, message: str, *, url: str = "", action: str = "") -> None:
        super().__init__(message)
        self.url = url
        self.action = action

    def __reduce__(self) -> tuple[Any, ...]:  # survive pickling with the keyword arguments
        return (_rebuild, (type(self), str(self), self.url, self.action))


def _rebuild(cls: type[AnkiConnectError], message: str, url: str,
             action: str) -> AnkiConnectError:
    return cls(message, url=url, action=action)


class AnkiUnreachable(AnkiConnectError):
    """Nothing answers at the URL, or what answers is not AnkiConnect."""


class AnkiKeyRejected(AnkiConnectError):
    """AnkiConnect requires an API key (its ``apiKey`` setting) and ours is missing or wrong."""


class AnkiActionUnsupported(AnkiConnectError):
    """The installed AnkiConnect does not know the action: it is too old."""


class AnkiBusy(AnkiConnectError):
    """Anki cannot run the action now: no collection open, or the collection is locked."""


class AnkiTimeout(AnkiConnectError):
    """AnkiConnect did not answer within the timeout."""


class AnkiActionFailed(AnkiConnectError):
    """AnkiConnect ran the action and reported an error (``"error"`` in its reply)."""


# Error texts of AnkiConnect (plugin/__init__.py, web.py) and of Anki's backend, as sent in
# the reply's "error" field.
_KEY_ERROR = "valid api key must be provided"
_UNSUPPORTED = "unsupported action"
_BUSY_MARKERS = ("collection is not available", "database is locked", "is busy",
                 "modal dialog", "profile is not loaded")


def resolve_url(url: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The AnkiConnect URL: ``url`` (``--url``), else ``$ANKI_CONNECT_URL``, else
    ``http://127.0.0.1:8765``; a URL without a scheme gets ``http://``; no trailing slash.

    Raises:
        ValueError: the URL is not http(s) or has no host.
    """
    env = os.environ if environ is None else environ
    raw = (url or env.get(URL_ENV) or DEFAULT_URL).strip()
    if "://" not in raw:
        raw = "http://" + raw
    parts = urllib.parse.urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{raw!r} is not an http:// URL such as {DEFAULT_URL}")
    return raw.rstrip("/")


class AnkiConnect:
    """A connection to AnkiConnect at ``url``.

    Args:
        url: e.g. ``http://127.0.0.1:8765`` (see :func:`resolve_url`).
        key: the API key (AnkiConnect's ``apiKey`` setting), or ``None`` when it has none.
        timeout: seconds to wait for each reply.
    """

    def __init__(self, url: str = DEFAULT_URL, key: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url
        self.key = key or None
        self.timeout = timeout

    def invoke(self, action: str, **params: Any) -> Any:
        """Run one action and return its ``result``.

        Raises:
            AnkiConnectError: one of its subclasses (see the module docstring).
        """
        payload: dict[str, Any] = {"action": action, "version": API_VERSION}
        if params:
            payload["params"] = params
        if self.key is not None:
            payload["key"] = self.key
        reply = self._post(action, payload)
        if not isinstance(reply, dict) or set(reply) != {"result", "error"}:
            raise AnkiUnreachable(
                f"{self.url} answered {action!r} with {str(reply)[:80]!r}, not an AnkiConnect "
                f"reply: is another program using that port? Check --url / ${URL_ENV}",
                url=self.url, action=action)
        error = reply["error"]
        if error is not None:
            raise self._classify(action, str(error))
        return reply["result"]

    def multi(self, actions: Sequence[tuple[str, Mapping[str, Any]]]) -> list[Any]:
        """Run several actions in one request (AnkiConnect's ``multi``); return their results
        in order. Raises like :meth:`invoke` for the first action that failed."""
        if not actions:
            return []
        wrapped = [{"action": a, "version": API_VERSION, "params": dict(p)} for a, p in actions]
        if self.key is not None:
            for item in wrapped:
                item["key"] = self.key
        replies = self.invoke("multi", actions=wrapped)
        out = []
        for (action, _), reply in zip(actions, replies):
            if isinstance(reply, dict) and set(reply) == {"result", "error"}:
                if reply["error"] is not None:
                    raise self._classify(action, str(reply["error"]))
                out.append(reply["result"])
            else:  # API version <= 4 replies are bare results
                out.append(reply)
        return out

    def _post(self, action: str, payload: dict[str, Any]) -> Any:
        data = json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(self.url, data=data, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            # no proxy: AnkiConnect runs on this machine, and a proxy from the environment
            # would turn "Anki is not running" into the proxy's error page
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise AnkiUnreachable(
                f"{self.url} answered HTTP {exc.code} {exc.reason}, not AnkiConnect: check "
                f"--url / ${URL_ENV}", url=self.url, action=action) from None
        except (TimeoutError, socket.timeout):
            raise self._timeout(action) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise self._timeout(action) from None
            raise AnkiUnreachable(
                f"cannot reach AnkiConnect at {self.url} ({_reason(exc.reason)}): "
                f"{INSTALL_HINT}", url=self.url, action=action) from None
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            raise AnkiUnreachable(
                f"the connection to AnkiConnect at {self.url} broke during {action!r} "
                f"({_reason(exc)}): Anki was closed or crashed; {INSTALL_HINT}",
                url=self.url, action=action) from None
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise AnkiUnreachable(
                f"{self.url} answered {action!r} with something that is not JSON "
                f"({body[:60]!r}): is another program using that port? Check --url / "
                f"${URL_ENV}", url=self.url, action=action) from None

    def _timeout(self, action: str) -> AnkiTimeout:
        return AnkiTimeout(
            f"Anki did not answer {action!r} within {self.timeout:g} s: a dialog may be open "
            f"in Anki (close it), or Anki is busy; try again", url=self.url, action=action)

    def _classify(self, action: str, error: str) -> AnkiConnectError:
        low = error.lower()
        if low == _KEY_ERROR:
            what = ("wants an API key: set" if self.key is None
                    else "rejected the API key in $" + KEY_ENV + ": set")
            return AnkiKeyRejected(
                f"AnkiConnect at {self.url} {what} ${KEY_ENV} to the apiKey of AnkiConnect's "
                f"config (in Anki: Tools > Add-ons > AnkiConnect > Config)",
                url=self.url, action=action)
        if low == _UNSUPPORTED:
            return AnkiActionUnsupported(
                f"the AnkiConnect at {self.url} is too old for the action {action!r}: update "
                f"it (in Anki: Tools > Add-ons > AnkiConnect > Check for Updates, or reinstall "
                f"code {ADDON_CODE}), then restart Anki", url=self.url, action=action)
        if any(marker in low for marker in _BUSY_MARKERS):
            return AnkiBusy(
                f"Anki is busy and cannot run {action!r} ({error}): close any open dialog in "
                f"Anki (profile window, sync, Check Database) and try again",
                url=self.url, action=action)
        return AnkiActionFailed(f"AnkiConnect could not run {action!r}: {error}",
                                url=self.url, action=action)


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__
