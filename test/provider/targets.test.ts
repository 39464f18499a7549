import * as assert from "assert";
import { CheckFailure, UNKNOWN } from "../../provider/settings/inputs";
import { checkTarget, identityUnknown, targetHoldsSecret, targetIdentity, type SshTarget, type WinrmTarget } from "../../provider/targets";
import type { Fields } from "../../provider/targets/declaration";
import { SSH_FIELDS } from "../../provider/targets/ssh";
import { WINRM_FIELDS } from "../../provider/targets/winrm";
import { createTestPki } from "../carriers/winrm/testPki";

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

    it("refuses a configPath that names a device, not a file, in every target that takes one, saying which", function () {
        const devices: [string, RegExp][] = [
            ["\\\\.\\pipe\\iis", /Win32 device or raw namespaces/],
            ["\\\\.\\C:", /Win32 device or raw namespaces/],
            ["\\\\?\\GLOBALROOT\\Device\\Null", /Win32 device or raw namespaces/],
            ["//./PhysicalDrive0", /Win32 device or raw namespaces/],
            ["C:\\inetpub\\NUL", /the Windows device name "NUL"/],
            ["C:\\inetpub\\con.config", /the Windows device name "CON"/],
            ["D:\\x\\COM1.txt ", /the Windows device name "COM1"/],
            ["C:\\x\\lpt9", /the Windows device name "LPT9"/],
            ["C:\\x\\CONOUT$", /the Windows device name "CONOUT\$"/],
            ["C:\\x\napplicationHost.config", /control characters/],
        ];
        const targets = [
            { kind: "winrm", host: "h", username: "u", password: "p", mode: "xml" },
            { kind: "ssh", host: "h", username: "u", password: "pw", hostKey: "SHA256:" + "A".repeat(43), mode: "xml" },
        ];
        for (const base of targets) {
            for (const [configPath, reason] of devices) {
                const failures = check({ ...base, configPath }).failures;
                assert.deepStrictEqual(failures.map((f) => f.property), ["target.configPath"], `${base.kind} ${JSON.stringify(configPath)}`);
                assert.match(failures[0].reason, /must name a file, not /);
                assert.match(failures[0].reason, reason, configPath);
            }
            for (const fine of ["C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config", "\\\\fs01\\iis\\applicationHost.config", "C:\\x\\console.config", "C:\\x\\COM10"]) {
                assert.deepStrictEqual(check({ ...base, configPath: fine }).failures, [], fine);
            }
            assert.deepStrictEqual(check({ ...base, platform: "linux", configPath: "/srv/nul/applicationHost.config" }).failures, []);
        }
    });

    it("names each bad winrm field and what is allowed", function () {
        assert.deepStrictEqual(properties({ kind: "winrm" }), ["target.host", "target.password", "target.username"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "web01:5985", username: "u", password: "p" }), ["target.host"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", port: 0 }), ["target.port"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", auth: "credssp" }), ["target.auth"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", auth: "basic" }), ["target.auth"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", auth: "basic", https: true }), []);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", auth: "certificate", https: true }), ["target.clientCertificate", "target.clientKey"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", insecureSkipVerify: true }), ["target.insecureSkipVerify"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", mode: "xml", configPath: "iis\\applicationHost.config" }), ["target.configPath"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", mode: "xml", platform: "linux", configPath: "/srv/iis/applicationHost.config" }), [], "PowerShell 7 on Linux takes /... paths");
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", mode: "xml", configPath: "/srv/iis/applicationHost.config" }), ["target.configPath"], "a /... path needs platform linux");
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", mode: "xml", platform: "linux", configPath: "C:\\iis\\applicationHost.config" }), ["target.configPath"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", platform: "macos" }), ["target.platform"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", configPath: "C:\\a.config" }), ["target.configPath"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", mode: "rdp" }), ["target.mode"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", https: true, caCertificate: "abc" }), ["target.caCertificate"]);
        assert.deepStrictEqual(properties({ kind: "winrm", host: "h", username: "u", password: "p", proxy: "x" }), ["target.proxy"]);
        assert.deepStrictEqual(properties({ kind: "telnet" }), ["target.kind"]);
    });

    it("kerberos and negotiate: the ticket cache or username with password, user@REALM not DOMAIN\\user, spn and delegate only with them", function () {
        for (const auth of ["kerberos", "negotiate"]) {
            assert.deepStrictEqual(properties({ kind: "winrm", host: "web01.corp.example", auth }), [], "the ticket cache");
            assert.deepStrictEqual(properties({ kind: "winrm", host: "h", auth, https: true, username: "deploy@CORP.EXAMPLE", password: "p", spn: "HTTP/web01@CORP.EXAMPLE", delegate: true }), []);
            assert.deepStrictEqual(properties({ kind: "winrm", host: "h", auth, username: "deploy" }), ["target.password"]);
            assert.deepStrictEqual(properties({ kind: "winrm", host: "h", auth, password: "p" }), ["target.username"]);
            const domain = check({ kind: "winrm", host: "h", auth, username: "CORP\\deploy", password: "p" }).failures;
            assert.deepStrictEqual(domain.map((f) => f.property), ["target.username"]);
            assert.match(domain[0].reason, /must be "user@REALM" or "user" for auth "(kerberos|negotiate)" \(Kerberos has no DOMAIN\\user form\)/);
            const spn = check({ kind: "winrm", host: "h", auth, spn: "web01" }).failures;
            assert.deepStrictEqual(spn.map((f) => f.property), ["target.spn"]);
            assert.match(spn[0].reason, /must be a service principal such as "HTTP\/web01.corp.example"/);
        }
        for (const field of [{ spn: "HTTP/h" }, { delegate: true }]) {
            const failures = check({ kind: "winrm", host: "h", username: "u", password: "p", ...field }).failures;
            assert.deepStrictEqual(failures.map((f) => f.property), [`target.${Object.keys(field)[0]}`]);
            assert.match(failures[0].reason, /only applies with auth "kerberos" or "negotiate"/);
        }
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

    it("refuses a caCertificate PEM that cannot be read, at check, and accepts a real one and a chain", function () {
        const pki = createTestPki();
        const target = (caCertificate: string) => ({ kind: "winrm", host: "h", username: "u", password: "p", https: true, caCertificate });
        assert.deepStrictEqual(check(target(pki.caCertificate)).failures, []);
        assert.deepStrictEqual(check(target(pki.caCertificate + "\n" + pki.server.certificate)).failures, []);
        const body = pki.caCertificate.split("\n").filter((line) => line && !line.startsWith("-----")).join("\n");
        const bogus = [
            "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----",
            `-----BEGIN CERTIFICATE-----\n${body.slice(0, body.length / 2)}\n-----END CERTIFICATE-----`,
            `${pki.caCertificate}\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----`,
            "-----BEGIN CERTIFICATE-----\nMIIB",
        ];
        for (const pem of bogus) {
            const failures = check(target(pem)).failures;
            assert.deepStrictEqual(failures.map((f) => f.property), ["target.caCertificate"], pem);
            assert.match(failures[0].reason, /^target\.caCertificate must be the PEM of the CA \(or server\) certificate to trust: (certificate \d of \d cannot be read|no -----BEGIN CERTIFICATE)/);
        }
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

describe("targets: ssh", function () {
    const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
    const PIN = "SHA256:" + "A".repeat(43);
    const base = { kind: "ssh", host: "web01.corp.example", username: "deploy", privateKey: KEY, hostKey: PIN };

    it("accepts a key, a password or the agent, with or without a jump host", function () {
        assert.deepStrictEqual(check(base).failures, []);
        assert.deepStrictEqual(check({ ...base, privateKey: undefined, password: "pw" }).failures, []);
        assert.deepStrictEqual(check({ ...base, privateKey: undefined, agent: true, mode: "xml", configPath: "D:\\iis\\applicationHost.config" }).failures, []);
        assert.deepStrictEqual(check({ ...base, proxy: { host: "bastion", username: "jump", password: "pw", hostKey: PIN } }).failures, []);
    });

    it("names each bad field, nested ones as target.proxy.<field>", function () {
        assert.deepStrictEqual(properties({ kind: "ssh" }), ["target.host", "target.privateKey", "target.username"]);
        assert.deepStrictEqual(properties({ ...base, hostKey: "ab:cd:ef" }), ["target.hostKey"]);
        assert.deepStrictEqual(properties({ ...base, privateKey: "ssh-ed25519 AAAA public" }), ["target.privateKey"]);
        assert.deepStrictEqual(properties({ ...base, privateKey: undefined, password: "pw", passphrase: "x" }), ["target.passphrase"]);
        assert.deepStrictEqual(properties({ ...base, port: 70000, auth: "ntlm" }), ["target.auth", "target.port"]);
        assert.deepStrictEqual(properties({ ...base, proxy: { host: "bastion" } }), ["target.proxy.privateKey", "target.proxy.username"]);
        assert.deepStrictEqual(properties({ ...base, proxy: { host: "b", username: "u", agent: true, jump: 1 } }), ["target.proxy.jump"]);
        assert.deepStrictEqual(properties({ ...base, configPath: "C:\\a.config" }), ["target.configPath"]);
    });

    it("skips rules that read values not known yet (preview), and never quotes a secret", function () {
        assert.deepStrictEqual(check({ ...base, privateKey: UNKNOWN }).failures, []);
        assert.deepStrictEqual(check({ ...base, proxy: UNKNOWN }).failures, []);
        assert.deepStrictEqual(check({ ...base, proxy: { host: "b", username: "u", privateKey: UNKNOWN } }).failures, []);
        const secret = "not-a-key-but-secret";
        for (const failure of check({ ...base, privateKey: secret, passphrase: 7, proxy: { host: "b", username: "u", password: 5 } }).failures) {
            assert.ok(!failure.reason.includes(secret) && !/got [57]\b/.test(failure.reason), failure.reason);
        }
    });

    it("identifies the server and file like winrm does; the way in and credentials are not identity", function () {
        const id = targetIdentity(base as SshTarget);
        assert.strictEqual(id, "ssh:web01.corp.example:c:\\windows\\system32\\inetsrv\\config\\applicationhost.config");
        assert.strictEqual(targetIdentity({ ...(base as SshTarget), port: 2222, privateKey: undefined, password: "x", proxy: { host: "b", username: "u", agent: true } }), id);
        assert.ok(identityUnknown({ ...base, host: UNKNOWN }));
    });

    it("marks the target secret when any secret field is set, the jump host's too", function () {
        assert.ok(targetHoldsSecret(base));
        assert.ok(!targetHoldsSecret({ ...base, privateKey: undefined, agent: true }));
        assert.ok(targetHoldsSecret({ ...base, privateKey: undefined, agent: true, proxy: { host: "b", username: "u", password: "pw" } }));
        assert.deepStrictEqual(secretFields(SSH_FIELDS).sort(), ["passphrase", "password", "privateKey", "proxy.passphrase", "proxy.password", "proxy.privateKey"]);
        assert.deepStrictEqual(secretFields(WINRM_FIELDS).sort(), ["clientKey", "password"]);
    });
});

/** Names of a declaration's secret fields, nested ones as "proxy.password". */
function secretFields(fields: Fields, prefix = ""): string[] {
    return Object.entries(fields).flatMap(([name, spec]) => [
        ...(spec.secret ? [prefix + name] : []),
        ...(spec.fields !== undefined ? secretFields(spec.fields, `${prefix}${name}.`) : []),
    ]);
}
