/**
 * Old state that lacks or mangles a field, through the real provider host: diff answers a
 * replacement when it cannot tell where the old resource lives; read, update and delete fail with
 * an error that names the field; nothing throws a TypeError, and nothing is written.
 */
import * as assert from "assert";
import * as fs from "fs";
import { ProviderCallError, ProviderHost } from "../../examples/engine/providerHost";
import { OWN_FIXTURE, scratchCopy, startHost, URN } from "../support/hostFixture";

const FIELDS = ["target", "target.kind", "target.path", "location", "onDelete", "timeout", "max", "previous", "previous.timeout"] as const;
const MANGLINGS: ReadonlyArray<{ name: string; value: unknown }> = [
    { name: "missing", value: undefined },
    { name: "null", value: null },
    { name: "a number", value: 42 },
    { name: "a list", value: ["x"] },
    { name: "an object", value: { unexpected: true } },
];

function withField(state: Record<string, unknown>, field: string, value: unknown): Record<string, unknown> {
    const copy = JSON.parse(JSON.stringify(state)) as Record<string, Record<string, unknown>>;
    const [outer, inner] = field.split(".");
    const holder: Record<string, unknown> = inner === undefined ? copy : copy[outer];
    const key = inner ?? outer;
    if (value === undefined) delete holder[key];
    else holder[key] = value;
    return copy;
}

describe("provider: stored state that lacks or mangles fields", function () {
    let host: ProviderHost;
    let providerText: string;
    before(async function () {
        ({ host, providerText } = await startHost());
    });
    after(async function () {
        await host?.stop();
    });

    async function created(): Promise<{ file: string; id: string; outputs: Record<string, unknown>; inputs: Record<string, unknown> }> {
        const { file } = scratchCopy(OWN_FIXTURE);
        const news = { __provider: providerText, target: { kind: "file", path: file }, location: "Default Web Site/shop", timeout: "00:10:00", max: 100 };
        const checked = await host.check(URN, {}, news);
        const result = await host.create(URN, checked.inputs);
        return { file, id: result.id, outputs: result.properties, inputs: checked.inputs };
    }

    it("diff: an old state without a target or location is a replacement, not a TypeError", async function () {
        const { inputs, outputs, id } = await created();
        for (const field of ["target", "location"]) {
            const diff = await host.diff("", URN, withField(outputs, field, undefined), inputs);
            assert.deepStrictEqual(diff, { changes: "some", replaces: [field], deleteBeforeReplace: true }, field);
        }
        // With the id of a file target, the state's own target and location are not needed.
        const both = withField(withField(outputs, "target", undefined), "location", undefined);
        assert.deepStrictEqual(await host.diff(id, URN, both, inputs), { changes: "none", replaces: [], deleteBeforeReplace: false });
    });

    it("every field missing or mangled: each operation answers, or fails naming the field; nothing is written on failure", async function () {
        const { file, id, outputs, inputs } = await created();
        const bytes = fs.readFileSync(file);
        for (const field of FIELDS) {
            for (const mangling of MANGLINGS) {
                const state = withField(outputs, field, mangling.value);
                const label = `${field} ${mangling.name}`;
                const outcome = async (name: string, call: () => Promise<unknown>) => {
                    try {
                        return await call();
                    } catch (error) {
                        assert.ok(error instanceof ProviderCallError, `${name} with ${label}: ${error}`);
                        assert.doesNotMatch(error.details, /TypeError|Cannot read properties|undefined \(reading/, `${name} with ${label}`);
                        const topField = field.split(".")[0];
                        assert.ok(error.details.includes(topField), `${name} with ${label} does not name the field: ${error.details}`);
                        assert.ok(fs.readFileSync(file).equals(bytes), `${name} with ${label} wrote to the file`);
                        return undefined;
                    }
                };
                const diff = await outcome("diff", () => host.diff(id, URN, state, inputs));
                if (diff !== undefined) assert.ok(["none", "some"].includes((diff as { changes: string }).changes), label);
                await outcome("read", () => host.read(id, URN, state, inputs));
                await outcome("update", () => host.update(id, URN, state, inputs));
                // Delete last: when it succeeds it releases the settings; put the file back for the next case.
                await outcome("delete", () => host.delete(id, URN, state));
                fs.writeFileSync(file, bytes);
            }
        }
    });

    it("a mangled field in the state is named in the error of a delete, and the file is untouched", async function () {
        const { file, id, outputs } = await created();
        const bytes = fs.readFileSync(file);
        const state = withField(withField(outputs, "target", { kind: "ftp", path: file }), "location", undefined);
        await assert.rejects(host.delete(id, URN, state), (error: ProviderCallError) => {
            assert.match(error.details, /stored state of AspSessionSettings ".*" cannot be used/);
            assert.match(error.details, /target\.kind must be one of "file", "winrm", "ssh", got "ftp"/);
            assert.match(error.details, /location is missing/);
            // Advice that works with Pulumi's engine, which cannot import a dynamic resource.
            assert.match(error.details, /pulumi state delete <its URN> .*then pulumi up: create adopts the values already at the location and records them, so a later delete restores them/);
            assert.doesNotMatch(error.details, /pulumi import/);
            return true;
        });
        assert.ok(fs.readFileSync(file).equals(bytes));
    });
});
