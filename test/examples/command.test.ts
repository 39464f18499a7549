/**
 * examples/command as a Pulumi program under pulumi.runtime.setMocks: it registers one
 * command:remote:Command whose create, update and delete are the rendered session commands, with
 * the private key secret. (The @pulumi/command provider itself, a Go binary the CLI installs, is
 * not available here; test/command/ runs the rendered commands over SSH as it would.)
 */
import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { renderSessionCommands } from "../../sdk";
import { projectRoot } from "../support/paths";

const SECRET_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nexample-only\n-----END OPENSSH PRIVATE KEY-----\n";
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleOnlyExampleOnlyExampleOnlyExam";

describe("examples/command, run as a Pulumi program under mocks", function () {
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    before(async function () {
        await pulumi.runtime.setMocks(
            {
                newResource(args) {
                    registered.push(args);
                    return { id: `${args.name}-id`, state: { ...args.inputs, stdout: '{"ok":true}', stderr: "" } };
                },
                call(args) {
                    return args.inputs;
                },
            },
            "iis-asp-session-command",
            "test",
            false,
        );
        for (const [key, value] of Object.entries({ host: "web01.corp.example", user: "deploy", privateKey: KEY, hostKey: HOST_KEY, location: "Shop Site/cart" })) {
            pulumi.runtime.setConfig(`iis-asp-session-command:${key}`, value);
        }
        const program = path.join(projectRoot, "dist", "examples", "command", "index.js");
        const exported = require(program) as { result: pulumi.Output<string> };
        await new Promise((resolve) => exported.result.apply(resolve));
    });

    it("registers a remote.Command whose create, update and delete are the rendered session commands", function () {
        const command = registered.find((resource) => resource.type === "command:remote:Command");
        assert.ok(command, `registered: ${registered.map((resource) => resource.type).join(", ")}`);
        const expected = renderSessionCommands({ location: "Shop Site/cart", keepSessionIdSecure: true, max: 1000, timeout: "00:10:00" });
        assert.strictEqual(command.inputs.create, expected.create);
        assert.strictEqual(command.inputs.update, expected.update);
        assert.strictEqual(command.inputs.delete, expected.delete);
        assert.match(command.inputs.create, /^%SystemRoot%\\System32\\WindowsPowerShell\\v1\.0\\powershell\.exe -NoProfile /);
    });

    it("keeps the private key secret: the connection arrives wrapped as a secret", function () {
        const command = registered.find((resource) => resource.type === "command:remote:Command");
        assert.ok(command);
        const connection = command.inputs.connection as Record<string, unknown>;
        const wrapped = connection[SECRET_KEY] === SECRET_SIG ? connection : (connection.privateKey as Record<string, unknown>);
        assert.strictEqual(wrapped?.[SECRET_KEY], SECRET_SIG, `not secret: ${JSON.stringify(Object.keys(connection))}`);
        assert.ok(JSON.stringify(wrapped).includes("example-only"));
        // The server's host key is pinned (@pulumi/command 1.x's connection.hostKey).
        assert.ok(JSON.stringify(connection).includes(HOST_KEY), "the host key is not in the connection");
    });
});
