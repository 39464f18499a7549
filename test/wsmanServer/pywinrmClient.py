"""Drives pywinrm (Debian's python3-winrm 0.3.x) against the in-repo WS-Management test server.

Usage: python3 pywinrmClient.py '<json>' where the JSON holds url, username, password, transport,
message_encryption, ca_trust_path (HTTPS) and a list of steps ({"cmd": [...]} or {"ps": "script"}). Prints one JSON
object: {"results": [{"status", "stdout", "stderr"}...]} or {"error": class name, "message"}.
"""
import json
import sys

import winrm


def main():
    request = json.loads(sys.argv[1])
    session = winrm.Session(
        request["url"],
        auth=(request["username"], request["password"]),
        transport=request["transport"],
        message_encryption=request["message_encryption"],
        # HTTPS: validate against the test server's own certificate (REQUESTS_CA_BUNDLE would win over "ignore").
        server_cert_validation="validate",
        ca_trust_path=request.get("ca_trust_path"),
        operation_timeout_sec=5,
        read_timeout_sec=10,
    )
    results = []
    try:
        for step in request["steps"]:
            if "cmd" in step:
                response = session.run_cmd(step["cmd"][0], step["cmd"][1:])
            else:
                response = session.run_ps(step["ps"])
            results.append({
                "status": response.status_code,
                "stdout": response.std_out.decode("utf-8", "replace"),
                "stderr": response.std_err.decode("utf-8", "replace") if isinstance(response.std_err, bytes) else response.std_err,
            })
    except Exception as error:  # reported to the test, which asserts on the class name
        print(json.dumps({"error": type(error).__name__, "message": str(error), "results": results}))
        return
    print(json.dumps({"results": results}))


main()
