#!/usr/bin/python3
"""Interop client for the PipeChat echo endpoint, using the Debian package python3-websockets.

Usage: /usr/bin/python3 py_client.py ws://127.0.0.1:PORT/echo   (or wss://..., certificate not verified)
Runs the scripted cases of tests/PipeChat.Server.Tests/Interop/InteropCases.cs and prints one JSON
object: {client, version, url, results: [{name, ok, detail}]}. Exit 0 when every case passed, 1 when
one failed, 2 when websockets is not installed.
"""

import asyncio
import json
import ssl
import sys

try:
    import websockets
except ImportError as error:
    print(f"python package 'websockets' is missing ({error}): apt-get install python3-websockets, "
          "or run `bash scripts/test.sh`", file=sys.stderr)
    sys.exit(2)

STEP_TIMEOUT = 10
SIZED_TEXT_PATTERN = "PipeChat 你好 🎉 ".encode("utf-8")
SIZES = {"0": 0, "125": 125, "126": 126, "65535": 65535, "65536": 65536, "1mib": 1024 * 1024}


def sized_text(length):
    count = length // len(SIZED_TEXT_PATTERN)
    data = SIZED_TEXT_PATTERN * count
    return (data + b"x" * (length - len(data))).decode("utf-8")


def sized_binary(length):
    return bytes((i * 7 + 3) & 0xFF for i in range(length))


def messages():
    yield "text-ascii", "Hello, PipeChat!"
    yield "text-chinese", "你好，世界！聊天室欢迎你。"
    yield "text-emoji", "emoji 🎉🚀😀👋🏽 𝄞"
    for size, length in SIZES.items():
        yield f"text-{size}", sized_text(length)
    for size, length in SIZES.items():
        yield f"binary-{size}", sized_binary(length)


def split_utf8(raw, cuts):
    """Splits UTF-8 bytes near the given offsets, moving each cut back to a character boundary."""
    pieces, start = [], 0
    for cut in cuts:
        while cut > start and (raw[cut] & 0xC0) == 0x80:
            cut -= 1
        pieces.append(raw[start:cut])
        start = cut
    pieces.append(raw[start:])
    return pieces


def describe(value):
    kind = "text" if isinstance(value, str) else "binary"
    length = len(value.encode("utf-8")) if isinstance(value, str) else len(value)
    return f"{kind} message of {length} bytes"


async def run(url, results):
    options = {"max_size": 16 * 1024 * 1024, "open_timeout": STEP_TIMEOUT, "close_timeout": STEP_TIMEOUT,
               "ping_interval": None}
    if url.startswith("wss:"):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        options["ssl"] = context

    # websockets offers permessage-deflate by default (and compresses every message).
    async with websockets.connect(url, **options) as socket:
        negotiated = socket.response_headers.get("Sec-WebSocket-Extensions", "")
        results.append({"name": "deflate", "ok": negotiated.startswith("permessage-deflate"),
                        "detail": f'Sec-WebSocket-Extensions: "{negotiated}"'})

        for name, payload in messages():
            await socket.send(payload)
            try:
                echo = await asyncio.wait_for(socket.recv(), STEP_TIMEOUT)
            except Exception as error:  # noqa: BLE001 - any failure is this case's result
                results.append({"name": name, "ok": False, "detail": f"no echo: {error!r}"})
                continue
            ok = type(echo) is type(payload) and echo == payload
            results.append({"name": name, "ok": ok,
                            "detail": f"{describe(payload)} echoed" if ok
                            else f"expected {describe(payload)}, got {describe(echo)}"})

        for name, is_text in (("fragmented-text", True), ("fragmented-binary", False)):
            whole = sized_text(3 * 32768) if is_text else sized_binary(3 * 32768)
            if is_text:
                # Cut text on character boundaries: each fragment must be a str.
                parts = [p.decode("utf-8") for p in split_utf8(whole.encode("utf-8"), (32768, 65536))]
            else:
                parts = [whole[0:32768], whole[32768:65536], whole[65536:]]
            between = {}

            async def fragments():
                yield parts[0]
                between["pong"] = await socket.ping(b"between")
                yield parts[1]
                yield parts[2]

            try:
                await socket.send(fragments())
                await asyncio.wait_for(between["pong"], STEP_TIMEOUT)
                echo = await asyncio.wait_for(socket.recv(), STEP_TIMEOUT)
                ok = type(echo) is type(whole) and echo == whole
                results.append({"name": name, "ok": ok,
                                "detail": "pong, then the whole message echoed" if ok
                                else f"expected {describe(whole)}, got {describe(echo)}"})
            except Exception as error:  # noqa: BLE001
                results.append({"name": name, "ok": False, "detail": f"fragmented message failed: {error!r}"})

        try:
            pong = await socket.ping("ping 🏓 payload".encode("utf-8"))
            await asyncio.wait_for(pong, STEP_TIMEOUT)
            results.append({"name": "ping", "ok": True, "detail": "pong with the same payload"})
        except Exception as error:  # noqa: BLE001
            results.append({"name": "ping", "ok": False, "detail": f"no matching pong: {error!r}"})

        await socket.close(code=1000, reason="done")
        code = socket.close_code
        results.append({"name": "close-1000", "ok": code == 1000,
                        "detail": "close 1000 echoed" if code == 1000 else f"expected close 1000, got {code}"})


def main():
    if len(sys.argv) != 2:
        print("usage: py_client.py ws://host:port/echo", file=sys.stderr)
        return 64
    url = sys.argv[1]
    results = []
    try:
        asyncio.run(asyncio.wait_for(run(url, results), 120))
    except Exception as error:  # noqa: BLE001
        results.append({"name": "connection", "ok": False, "detail": repr(error)})
    print(json.dumps({"client": "python-websockets", "version": websockets.__version__, "url": url,
                      "results": results}, ensure_ascii=False))
    return 0 if results and all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
