#!/usr/bin/env python3
"""Writes the seed corpora (run from anywhere; rewrites tests/fuzz-corpus/{websocket,websocket-deflate,handshake,chat}).

websocket and handshake inputs start with two config bytes (see the targets' doc comments):
websocket: byte 0 = bit 0 client side, bits 1-3 limit index, bits 4-5 sink chunk; byte 1 = split seed.
handshake: byte 0 = limit index (7 = 8 KiB); byte 1 = split seed.
"""
import os, struct

ROOT = os.path.dirname(os.path.abspath(__file__))
MASK = bytes([0x37, 0xfa, 0x21, 0x3d])

def frame(opcode, payload, fin=True, masked=True, rsv=0):
    head = bytes([(0x80 if fin else 0) | rsv | opcode])
    m = 0x80 if masked else 0
    n = len(payload)
    if n < 126:
        head += bytes([m | n])
    elif n < 65536:
        head += bytes([m | 126]) + struct.pack('>H', n)
    else:
        head += bytes([m | 127]) + struct.pack('>Q', n)
    if masked:
        head += MASK
        payload = bytes(b ^ MASK[i % 4] for i, b in enumerate(payload))
    return head + payload

def write(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    with open(os.path.join(ROOT, target, name), 'wb') as f:
        f.write(data)

SERVER_1M = 0x0E   # server side, 1 MiB limit, unbounded sink spans
SERVER_125 = 0x06  # server side, 125-byte limit
CLIENT_1M = 0x0F   # client side (frames unmasked)
CHUNK3 = 0x20      # sink offers 3 bytes at a time

ws = {
    'text-hello': bytes([SERVER_1M, 0]) + frame(1, b'Hello'),
    'text-json-chat': bytes([SERVER_1M, 0]) + frame(1, b'{"type":"room","data":{"roomid":"r1","data":"hi"},"ref":1}'),
    'binary-small': bytes([SERVER_1M, 0]) + frame(2, bytes(range(16))),
    'text-fragmented-utf8': bytes([SERVER_1M | CHUNK3, 7]) + frame(1, 'h\u00e9'.encode()[:2], fin=False) + frame(0, 'h\u00e9\U0001F600'.encode()[2:]),
    'ping-pong-between-fragments': bytes([SERVER_1M, 0]) + frame(1, b'ab', fin=False) + frame(9, b'p') + frame(0, b'cd') + frame(10, b''),
    'close-normal-reason': bytes([SERVER_1M, 0]) + frame(8, struct.pack('>H', 1000) + b'bye'),
    'close-empty': bytes([SERVER_1M, 255]) + frame(8, b''),
    'length-126': bytes([SERVER_1M, 0]) + frame(2, b'x' * 200),
    'length-127-truncated': bytes([SERVER_1M | CHUNK3, 31]) + frame(2, b'y' * 65536)[:120],
    'too-big-125-limit': bytes([SERVER_125, 0]) + frame(1, b'z' * 126),
    'unmasked-from-client-is-error': bytes([SERVER_1M, 0]) + frame(1, b'no mask', masked=False),
    'client-side-unmasked': bytes([CLIENT_1M, 3]) + frame(1, b'server says hi', masked=False) + frame(9, b'', masked=False),
    'invalid-utf8-text': bytes([SERVER_1M, 0]) + frame(1, b'\xc0\xaf'),
    'two-messages-one-byte-pieces': bytes([SERVER_1M, 255]) + frame(1, b'one') + frame(2, b'two'),
}
for name, data in ws.items():
    write('websocket', name + '.bin', data)

# websocket-deflate: a third config byte for the stand-in decompressor (bits 0-1 factor index
# 1/2/64/4096; bits 2-7 a "bad data" byte value / 4, 0 for none). RSV1 (0x40) marks compressed.
RSV1 = 0x40
X1, X2, X64, X4096 = 0, 1, 2, 3
FAIL_BANG = (0x20 // 4) << 2   # fail on 0x20 (a space)
wsd = {
    'compressed-text': bytes([SERVER_1M, 0, X1]) + frame(1, b'Hello', rsv=RSV1),
    'compressed-binary-doubled': bytes([SERVER_1M, 9, X2]) + frame(2, bytes(range(1, 40)), rsv=RSV1),
    'compressed-with-tail-bytes': bytes([SERVER_1M, 0, X1]) + frame(1, b'ab\x00\x00\xff\xffcd', rsv=RSV1),
    'compressed-fragmented': bytes([SERVER_1M | CHUNK3, 5, X2]) + frame(1, b'he', fin=False, rsv=RSV1) + frame(0, b'llo'),
    'control-between-compressed-fragments': bytes([SERVER_1M, 0, X1]) + frame(1, b'ab', fin=False, rsv=RSV1) + frame(9, b'p') + frame(0, b'cd'),
    'rsv1-on-continuation-is-error': bytes([SERVER_1M, 0, X1]) + frame(1, b'ab', fin=False, rsv=RSV1) + frame(0, b'cd', rsv=RSV1),
    'rsv1-on-ping-is-error': bytes([SERVER_1M, 0, X1]) + frame(9, b'p', rsv=RSV1),
    'bomb-over-125-limit': bytes([SERVER_125, 0, X4096]) + frame(2, b'zz', rsv=RSV1),
    'bomb-over-1m-limit': bytes([SERVER_1M | CHUNK3, 0, X4096]) + frame(2, b'z' * 300, rsv=RSV1),
    'bad-compressed-data': bytes([SERVER_1M, 0, X1 | FAIL_BANG]) + frame(1, b'a b', rsv=RSV1),
    'invalid-utf8-after-inflate': bytes([SERVER_1M, 0, X1]) + frame(1, b'\xc0\xaf', rsv=RSV1),
    'plain-and-compressed': bytes([SERVER_1M, 255, X64]) + frame(1, b'plain') + frame(2, b'q', rsv=RSV1),
    'close-after-compressed': bytes([SERVER_1M, 0, X1]) + frame(1, b'x', rsv=RSV1) + frame(8, struct.pack('>H', 1000)),
}
for name, data in wsd.items():
    write('websocket-deflate', name + '.bin', data)

KEY = b'dGhlIHNhbXBsZSBub25jZQ=='
def upgrade(path=b'/ws?id=alice', extra=b'', key=KEY, version=b'13', method=b'GET', http=b'HTTP/1.1'):
    return (method + b' ' + path + b' ' + http + b'\r\nHost: chat.example.com\r\nUpgrade: websocket\r\n'
            b'Connection: Upgrade\r\nSec-WebSocket-Key: ' + key + b'\r\nSec-WebSocket-Version: ' + version + b'\r\n' + extra + b'\r\n')

hs = {
    'upgrade-minimal': bytes([7, 0]) + upgrade(),
    'upgrade-subprotocol-origin': bytes([7, 0]) + upgrade(extra=b'Origin: https://servicewechat.com\r\nSec-WebSocket-Protocol: json, chat\r\n'),
    'upgrade-extensions-declined': bytes([7, 9]) + upgrade(extra=b'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n'),
    'upgrade-token-query': bytes([7, 0]) + upgrade(path=b'/ws?token=eyJhbGciOiJIUzI1NiJ9.e30.sig&id=b%C3%B6b+x'),
    'upgrade-connection-list': bytes([7, 255]) + upgrade().replace(b'Connection: Upgrade', b'Connection: keep-alive, Upgrade'),
    'plain-get': bytes([7, 0]) + b'GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n',
    'post-405': bytes([7, 0]) + b'POST /ws HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
    'http10-505': bytes([7, 0]) + b'GET / HTTP/1.0\r\n\r\n',
    'version-8-426': bytes([7, 0]) + upgrade(version=b'8'),
    'bad-key-400': bytes([7, 0]) + upgrade(key=b'short'),
    'bare-lf-400': bytes([7, 0]) + b'GET / HTTP/1.1\nHost: x\n\n',
    'over-limit-431': bytes([2, 0]) + upgrade(),
    'split-pieces-small-limit': bytes([4, 17]) + upgrade(path=b'/'),
    'pipelined-bytes-after-head': bytes([7, 0]) + upgrade() + b'\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58',
}
for name, data in hs.items():
    write('handshake', name + '.bin', data)

chat = {
    'join': b'{"type":"join","data":{"roomid":"r1"},"ref":1}',
    'join-since-epoch': b'{"type":"join","data":{"roomid":"r1","since":41,"epoch":"e7"},"ref":"j"}',
    'leave': b'{"type":"leave","data":{"roomid":"r1","id":"alice"}}',
    'room-string': b'{"type":"room","data":{"roomid":"r1","data":"hello"},"ref":2}',
    'room-object-unicode': '{"type":"room","data":{"roomid":"caf\\u00e9","data":{"text":"\u4f60\u597d \U0001F600","n":[1,2.5e3,null,true]}}}'.encode(),
    'notice': b'{"type":"notice","data":{"id":"bob","data":{"x":1}},"ref":"n1"}',
    'broadcast': b'{"type":"broadcast","data":[1,{"a":"b"}]}',
    'query-room': b'{"type":"query","data":{"roomid":"r1"},"ref":3}',
    'query-user': b'{"type":"query","data":{"id":"bob"}}',
    'ping-ref': b'{"type":"ping","ref":"p\\"q"}',
    'history': b'{"type":"history","data":{"roomid":"r1","before":100,"limit":20}}',
    'unknown-type': b'{"type":"dance","ref":4}',
    'bad-json-after-ref': b'{"ref":5,"type":"join","data":{"roomid":',
    'escaped-surrogates': b'{"type":"join","data":{"roomid":"\\ud83d\\ude00\\ud800"}}',
    'deep-nesting': b'{"type":"broadcast","data":' + b'[' * 70 + b']' * 70 + b'}',
}
for name, data in chat.items():
    write('chat', name + '.json', data)
print(len(ws), len(wsd), len(hs), len(chat))
