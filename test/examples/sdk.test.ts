/**
 * What a Pulumi program registers: the SDK under pulumi.runtime.setMocks (the provider's own
 * methods are not called here; the host tests cover them).
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { AspSessionSettings } from "../../sdk";

describe("AspSessionSettings as a program registers it", function () {
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    before(async function () {
        await pulumi.runtime.setMocks({
            newResource(args) {
                registered.push(args);
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call(args) {
                return args.inputs;
            },
        }, "project", "stack", false);
    });

    it("registers the dynamic type with the serialised provider and location defaulting to the server level", async function () {
        const resource = new AspSessionSettings("server", { target: { kind: "file", path: "/tmp/a.config" }, timeout: "00:10:00" });
        await new Promise((resolve) => resource.urn.apply(resolve));
        const args = registered.find((r) => r.name === "server");
        assert.ok(args);
        assert.strictEqual(args.type, "pulumi-nodejs:dynamic/iis:AspSessionSettings");
        assert.strictEqual(args.inputs.location, "");
        assert.strictEqual(args.inputs.timeout, "00:10:00");
        assert.match(args.inputs.__provider, /exports\.handler = /);
    });

    it("keeps credentials out of plain state: the target holding a password is a secret, and the provider text holds none", async function () {
        const resource = new AspSessionSettings("remote", {
            target: { kind: "winrm", host: "web01", username: "CORP\\deploy", password: pulumi.secret("correct horse battery staple") },
            location: "Default Web Site", max: 5,
        });
        const isSecret = await (resource.target as unknown as { isSecret: Promise<boolean> }).isSecret;
        assert.strictEqual(isSecret, true, "the target output must be secret");
        await new Promise((resolve) => resource.urn.apply(resolve));
        const args = registered.find((r) => r.name === "remote");
        assert.ok(args);
        assert.ok(!String(args.inputs.__provider).includes("correct horse"), "the password leaked into the serialised provider");
    });

    it("refuses a second resource managing the same attribute at the same location of the same target, naming both", function () {
        const target = { kind: "file" as const, path: "/tmp/claims/applicationHost.config" };
        new AspSessionSettings("shop-timeout", { target, location: "Default Web Site/shop", timeout: 10 });
        assert.throws(() => new AspSessionSettings("shop-again", { target: { kind: "file", path: "/tmp/claims/../claims/applicationHost.config" }, location: "/default web site/SHOP/", max: 5, timeout: 20 }),
            (error: Error) => /AspSessionSettings "shop-again" and "shop-timeout" both manage timeout at location "default web site\/SHOP" of file:\/tmp\/claims\/applicationHost\.config/.test(error.message));
        // Other attributes at that location, the same attribute elsewhere or in another file: no conflict.
        new AspSessionSettings("shop-max", { target, location: "Default Web Site/shop", max: 5 });
        new AspSessionSettings("site-timeout", { target, location: "Default Web Site", timeout: 10 });
        new AspSessionSettings("other-file", { target: { kind: "file", path: "/tmp/claims/other.config" }, location: "Default Web Site/shop", timeout: 10 });
        // Declared again under the same name (a program run twice in one process): not a conflict with itself.
        new AspSessionSettings("shop-max", { target, location: "Default Web Site/shop", max: 5 });
        assert.throws(() => new AspSessionSettings("server-a", { target: { kind: "winrm", host: "WEB01", username: "u", password: "p" }, keepSessionIdSecure: true })
            && new AspSessionSettings("server-b", { target: { kind: "winrm", host: "web01", username: "v", password: "q", mode: "xml" }, location: "/", keepSessionIdSecure: false }),
        /"server-b" and "server-a" both manage keepSessionIdSecure at the server level of winrm:web01:/);
    });

    it("refuses text that is not valid Unicode at the declaring line, with the provider's message, and registers nothing", function () {
        const count = registered.length;
        assert.throws(() => new AspSessionSettings("lone-surrogate", { target: { kind: "file", path: "/tmp/u.config" }, location: "Default Web Site/\ud800shop", max: 5 }),
            (error: Error) => error.message.startsWith('AspSessionSettings "lone-surrogate": location is not valid Unicode text: it holds half of a UTF-16 surrogate pair at position 17'));
        assert.throws(() => new AspSessionSettings("lone-in-target", { target: { kind: "winrm", host: "web01", username: "CORP\\de\udc00ploy", password: "p" }, max: 5 }),
            /AspSessionSettings "lone-in-target": target.username is not valid Unicode text/);
        // A value not known yet is the provider's to check; a well-formed pair is text like any other.
        new AspSessionSettings("later", { target: { kind: "file", path: "/tmp/u.config" }, location: pulumi.output("Default Web Site/\ud800x"), max: 5 });
        new AspSessionSettings("emoji", { target: { kind: "file", path: "/tmp/u.config" }, location: "Default Web Site/\ud83c\udf89", max: 5 });
        assert.ok(!registered.slice(count).some((args) => args.name === "lone-surrogate" || args.name === "lone-in-target"));
    });

    it("marks the target secret even when the password was passed as plain text", async function () {
        const resource = new AspSessionSettings("plain", {
            target: { kind: "winrm", host: "web01", username: "u", password: "plain-text-password" }, max: 5,
        });
        assert.strictEqual(await (resource.target as unknown as { isSecret: Promise<boolean> }).isSecret, true);
    });

    it("marks an ssh target secret when it holds a key, or only its jump host holds a password", async function () {
        const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nplain-text-key\n-----END OPENSSH PRIVATE KEY-----\n";
        const withKey = new AspSessionSettings("ssh-key", {
            target: { kind: "ssh", host: "web03", username: "deploy", privateKey: key, hostKey: "SHA256:" + "A".repeat(43) }, max: 5,
        });
        assert.strictEqual(await (withKey.target as unknown as { isSecret: Promise<boolean> }).isSecret, true);
        const viaJump = new AspSessionSettings("ssh-jump", {
            target: { kind: "ssh", host: "web02", username: "deploy", agent: true, proxy: { host: "bastion", username: "jump", password: "jump-password" } }, max: 5,
        });
        assert.strictEqual(await (viaJump.target as unknown as { isSecret: Promise<boolean> }).isSecret, true);
        await new Promise((resolve) => viaJump.urn.apply(resolve));
        const args = registered.find((r) => r.name === "ssh-jump");
        assert.ok(args);
        assert.ok(!String(args.inputs.__provider).includes("jump-password"));
    });
});
