import * as assert from "assert";
import { CheckFailure, UNKNOWN } from "../../provider/settings/inputs";
import { checkTarget, identityUnknown, targetIdentity, WinrmTarget } from "../../provider/targets";

function check(value: unknown): { target: unknown; failures: CheckFailure[] } {
    const failures: CheckFailure[] = [];
    return { target: checkTarget(value, failures), failures };
}

function properties(value: unknown): string[] {
    return check(value).failures.map((f) => f.property).sort();
}

describe("targets", function () {
    it("accepts a file target and a minimal winrm target", function () {
        assert.deepStrictEqual(check({ kind: "file", path: "C:\\x\\applicationHost.config" }).failures, []);
        const { target, failures } = check({ kind: "winrm", host: "web01.corp.example", username: "CORP\\deploy", password: "pw" });
        assert.deepStrictEqual(failures, []);
        assert.deepStrictEqual(target, { kind: "winrm", host: "web01.corp.example", username: "CORP\\deploy", password: "pw" });
    });

    it("names each bad winrm field and what is allowed", function () {
        assert.deepStrictEqual(properties({ kind: "winrm" }), ["target.host", "target.password", "target.username"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "web01:5985", username: "u", password: "p" }), ["target.host"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", port: 0 }), ["target.port"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", auth: "kerberos" }), ["target.auth"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", auth: "basic" }), ["target.auth"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", auth: "basic", https: true }), []);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", auth: "certificate", https: true }), ["target.clientCertificate", "target.clientKey"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", insecureSkipVerify: true }), ["target.insecureSkipVerify"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", mode: "xml", configPath: "/etc/x" }), ["target.configPath"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", configPath: "C:\\a.config" }), ["target.configPath"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", mode: "rdp" }), ["target.mode"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", https: true, caCertificate: "abc" }), ["target.caCertificate"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", proxy: "x" }), ["target.proxy"]);
        assert.deepStrictEqual(properties({ kind: "ssh" }), ["target.kind"]);
    });

    it("never quotes a password or key back in a failure", function () {
        const secret = "Sup3r-secret-value";
        for (const target of [
            { kind: "winrm", host: "http://h", username: "u", password: secret, auth: "basic", port: -1 },
            { kind: "winrm", host: "h", username: "u", password: 42, clientKey: secret, auth: "ntlm" },
            { kind: "winrm", host: "h", username: "u", password: " ", clientKey: " " },
        ]) {
            for (const failure of check(target).failures) assert.ok(!failure.reason.includes(secret), failure.reason);
        }
        assert.ok(check({ kind: "winrm", host: "h", username: "u", password: 42 }).failures[0].reason.endsWith("must be a non-empty string"));
    });

    it("identifies the server and file, not the credentials or the way in", function () {
        const base: WinrmTarget = { kind: "winrm", host: "WEB01", username: "u", password: "a" };
        assert.strictEqual(targetIdentity(base), targetIdentity({ ...base, host: "web01", password: "b", https: true, port: 5986 }));
        assert.notStrictEqual(targetIdentity(base), targetIdentity({ ...base, host: "web02" }));
        assert.notStrictEqual(targetIdentity({ ...base, mode: "xml", configPath: "D:\\a.config" }), targetIdentity(base));
        assert.ok(identityUnknown({ kind: "winrm", host: UNKNOWN }));
        assert.ok(!identityUnknown({ kind: "winrm", host: "h", password: UNKNOWN }));
    });
});
