"""The Kerberos side of the WS-Management test server, written with python3-gssapi so that what
the TypeScript client does is checked by an implementation that shares no code with it: it
accepts security contexts (keytab from KRB5_KTNAME) and decrypts and encrypts whole MS-WSMV
multipart/encrypted bodies itself (framing and gss_unwrap_iov / gss_wrap_iov).

One JSON object a line on stdin, one answer a line on stdout, in order:
  {"id", "op": "accept", "conn", "token": b64, "bindings": b64 | null, "scheme": "Negotiate" | "Kerberos"}
      -> {"id", "ok", "token": b64 | null, "complete", "user", "delegated"}
  {"id", "op": "decrypt", "conn", "body": b64}  -> {"id", "ok", "plaintext": b64}
  {"id", "op": "encrypt", "conn", "plaintext": b64} -> {"id", "ok", "body": b64, "contentType"}
  {"id", "op": "forget", "conn"} -> {"id", "ok"}
A failure answers {"id", "ok": false, "error": text}.
"""
import base64
import json
import re
import struct
import sys

import gssapi.raw as gss
from gssapi.raw import IOV, IOVBufferType, unwrap_iov, wrap_iov

BOUNDARY = b"--Encrypted Boundary\r\n"
FINAL = b"--Encrypted Boundary--\r\n"
PROTOCOLS = {"Negotiate": "application/HTTP-SPNEGO-session-encrypted", "Kerberos": "application/HTTP-Kerberos-session-encrypted"}

contexts = {}  # conn -> {"context", "protocol", "complete"}


def accept(request):
    conn = request["conn"]
    state = contexts.get(conn)
    if state is None or state["complete"]:
        state = {"context": None, "protocol": PROTOCOLS[request["scheme"]], "complete": False}
        contexts[conn] = state
    bindings = None
    if request.get("bindings"):
        bindings = gss.ChannelBindings(application_data=base64.b64decode(request["bindings"]))
    try:
        result = gss.accept_sec_context(base64.b64decode(request["token"]), context=state["context"], channel_bindings=bindings)
    except Exception:
        contexts.pop(conn, None)
        raise
    state["context"] = result.context
    state["complete"] = not result.more_steps
    return {
        "token": base64.b64encode(result.token).decode() if result.token else None,
        "complete": state["complete"],
        "user": gss.display_name(result.initiator_name).name.decode() if result.initiator_name is not None else None,
        "delegated": result.delegated_creds is not None,
    }


def established(conn):
    state = contexts.get(conn)
    if state is None or not state["complete"]:
        raise ValueError("no established security context on this connection")
    return state


def decrypt(request):
    state = established(request["conn"])
    body = base64.b64decode(request["body"])
    if not body.startswith(BOUNDARY) or not body.endswith(FINAL):
        raise ValueError("body is not framed by --Encrypted Boundary")
    second = body.index(BOUNDARY, len(BOUNDARY))
    headers = body[len(BOUNDARY):second].decode("latin1")
    if state["protocol"].lower() not in headers.lower():
        raise ValueError("first part does not name " + state["protocol"])
    length = int(re.search(r"Length=(\d+)", headers).group(1))
    part = body[second + len(BOUNDARY):len(body) - len(FINAL)]
    line_end = part.index(b"\r\n")
    if part[:line_end].strip().lower() != b"content-type: application/octet-stream":
        raise ValueError("second part is not application/octet-stream")
    data = part[line_end + 2:]
    (header_length,) = struct.unpack("<I", data[:4])
    header = data[4:4 + header_length]
    encrypted = data[4 + header_length:]
    iov = IOV((IOVBufferType.header, False, header), encrypted, std_layout=False)
    unwrap_iov(state["context"], iov)
    plaintext = iov[1].value
    if len(plaintext) != length:
        raise ValueError("Length=%d but %d bytes decrypted" % (length, len(plaintext)))
    return {"plaintext": base64.b64encode(plaintext).decode()}


def encrypt(request):
    state = established(request["conn"])
    plaintext = base64.b64decode(request["plaintext"])
    iov = IOV(IOVBufferType.header, plaintext, IOVBufferType.padding, std_layout=False)
    wrap_iov(state["context"], iov, confidential=True)
    header, encrypted, padding = iov[0].value, iov[1].value, iov[2].value or b""
    protocol = state["protocol"].encode()
    body = (
        BOUNDARY
        + b"\tContent-Type: " + protocol + b"\r\n"
        + b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=" + str(len(plaintext) + len(padding)).encode() + b"\r\n"
        + BOUNDARY
        + b"\tContent-Type: application/octet-stream\r\n"
        + struct.pack("<I", len(header)) + header + encrypted + padding
        + FINAL
    )
    content_type = 'multipart/encrypted;protocol="%s";boundary="Encrypted Boundary"' % state["protocol"]
    return {"body": base64.b64encode(body).decode(), "contentType": content_type}


def forget(request):
    contexts.pop(request["conn"], None)
    return {}


OPERATIONS = {"accept": accept, "decrypt": decrypt, "encrypt": encrypt, "forget": forget}


def main():
    print(json.dumps({"id": 0, "ok": True, "ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            answer = OPERATIONS[request["op"]](request)
            answer.update({"id": request["id"], "ok": True})
        except Exception as error:  # every failure goes back to the server as text
            answer = {"id": request["id"], "ok": False, "error": "%s: %s" % (type(error).__name__, error)}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
