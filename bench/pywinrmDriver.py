"""pywinrm's side of `npm run bench:winrm` (bench/winrm.ts), in one long-lived process.

Usage: python3 pywinrmDriver.py '<json>' with url, username, password. Prints one line of JSON
when ready ({"ready": true, "pywinrm": version}), then answers each line of JSON read from stdin
with one line of JSON on stdout, until stdin closes.

A request is {"connection": "warm" | "cold", "invocations": [{"command": str, "args": [str]}, ...]}:
the invocations of one operation (a diff is one, an apply two: the read, then the apply script),
each run with Session.run_cmd, the way a pywinrm user would run our command lines. "warm" reuses
the one Session this process keeps (requests keeps its authenticated connection; pywinrm still
opens and deletes a shell per run_cmd), "cold" builds a new Session for the operation. The answer
is {"ms": wall time of the operation measured here with time.perf_counter, "results": [{"status",
"stdout", "stderr"}]} or {"error": class name, "message"}. Parsing the script's JSON output is
timed too, as our client parses it within its operation.
"""
import json
import sys
import time

import winrm


def version():
    try:
        from importlib.metadata import version as package_version
        return package_version("pywinrm")
    except Exception:  # an unpackaged checkout: no metadata
        return "unknown"


def new_session(config):
    return winrm.Session(
        config["url"],
        auth=(config["username"], config["password"]),
        transport="ntlm",
        message_encryption="always",
        operation_timeout_sec=20,
        read_timeout_sec=30,
    )


def close(session):
    """Drops the Session's HTTP connection (untimed; pywinrm has no close of its own)."""
    transport = session.protocol.transport
    if transport.session is not None:
        transport.session.close()


def run_operation(session, invocations):
    results = []
    for invocation in invocations:
        response = session.run_cmd(invocation["command"], invocation["args"])
        stdout = response.std_out.decode("utf-8", "replace")
        if response.status_code == 0:
            json.loads(stdout)
        results.append({
            "status": response.status_code,
            "stdout": stdout,
            "stderr": response.std_err.decode("utf-8", "replace") if isinstance(response.std_err, bytes) else response.std_err,
        })
    return results


def main():
    config = json.loads(sys.argv[1])
    warm = new_session(config)
    print(json.dumps({"ready": True, "pywinrm": version()}), flush=True)
    for line in sys.stdin:
        if line.strip() == "":
            continue
        request = json.loads(line)
        session = None
        try:
            started = time.perf_counter()
            session = warm if request["connection"] == "warm" else new_session(config)
            results = run_operation(session, request["invocations"])
            elapsed_ms = (time.perf_counter() - started) * 1000
            answer = {"ms": elapsed_ms, "results": results}
        except Exception as error:  # reported to the bench, which stops with the message
            answer = {"error": type(error).__name__, "message": str(error)}
        if session is not None and session is not warm:
            close(session)
        print(json.dumps(answer), flush=True)
    close(warm)


main()
