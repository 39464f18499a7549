/**
 * onApplyFailure "record" through the real dynamic-provider host: a failed create or update
 * succeeds as a step but claims nothing, the next diff proposes the apply again (even when the
 * server cannot be read), and a successful apply clears the failure.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ProviderCallError, ProviderHost } from "../../examples/engine/providerHost";
import { BACKUP_SUFFIX } from "../../provider/stores/local/localConfigFile";
import { OWN_FIXTURE, scratchCopy, startHost, URN } from "../support/hostFixture";

describe("onApplyFailure \"record\" through the real provider host", function () {
    let host: ProviderHost;
    let providerText: string;
    before(async function () {
        ({ host, providerText } = await startHost());
    });
    after(async function () {
        await host?.stop();
    });

    const news = (file: string, extra: Record<string, unknown> = {}) =>
        ({ __provider: providerText, target: { kind: "file", path: file }, location: "Default Web Site/shop", max: 2000, timeout: "00:10:00", onApplyFailure: "record", ...extra });

    it("check accepts \"fail\" and \"record\" only, and leaves \"fail\" (the default) out of the inputs", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        assert.strictEqual((await host.check(URN, {}, news(file, { onApplyFailure: "fail" }))).inputs.onApplyFailure, undefined);
        assert.strictEqual((await host.check(URN, {}, news(file))).inputs.onApplyFailure, "record");
        const refused = await host.check(URN, {}, news(file, { onApplyFailure: "ignore" }));
        assert.deepStrictEqual(refused.failures.map((f) => f.property), ["onApplyFailure"]);
        assert.match(refused.failures[0].reason, /must be "fail" .* or "record"/);
    });

    it("a failed create is recorded, claims no values, and is proposed again; the retry clears it", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const original = fs.readFileSync(file);
        fs.mkdirSync(file + BACKUP_SUFFIX);
        fs.writeFileSync(path.join(file + BACKUP_SUFFIX, "occupied"), "");
        const inputs = (await host.check(URN, {}, news(file))).inputs;
        const created = await host.create(URN, inputs);
        assert.match(String(created.properties.applyFailure), new RegExp(path.basename(path.dirname(file))));
        assert.strictEqual(created.properties.max, undefined);
        assert.strictEqual(created.properties.timeout, undefined);
        assert.deepStrictEqual(created.properties.previous, {});
        assert.ok(fs.readFileSync(file).equals(original));
        assert.strictEqual((await host.diff(created.id, URN, created.properties, inputs)).changes, "some");

        fs.rmSync(file + BACKUP_SUFFIX, { recursive: true });
        const updated = await host.update(created.id, URN, created.properties, inputs);
        assert.strictEqual(updated.properties.applyFailure, null);
        assert.strictEqual(updated.properties.max, 2000);
        assert.deepStrictEqual(updated.properties.previous, { max: null, timeout: null });
        assert.strictEqual((await host.diff(created.id, URN, updated.properties, inputs)).changes, "none");
    });

    it("a failed update keeps the last applied values; a server that cannot be read is proposed for apply, not an error", async function () {
        const { dir, file } = scratchCopy(OWN_FIXTURE);
        const inputs = (await host.check(URN, {}, news(file))).inputs;
        const created = await host.create(URN, inputs);
        const changed: Record<string, unknown> = { ...inputs, max: 3000 };
        fs.mkdirSync(file + "-moved");
        fs.renameSync(file, path.join(file + "-moved", "applicationHost.config"));
        assert.strictEqual((await host.diff(created.id, URN, created.properties, changed)).changes, "some");
        const updated = await host.update(created.id, URN, created.properties, changed);
        assert.match(String(updated.properties.applyFailure), /no such file or folder; nothing was written/);
        assert.strictEqual(updated.properties.max, 2000, "the state claims the failed value");
        assert.deepStrictEqual(updated.properties.previous, created.properties.previous);

        // Without "record", the same unreadable server fails the diff, naming the file.
        const { onApplyFailure: _record, ...failing } = changed;
        await assert.rejects(host.diff(created.id, URN, created.properties, failing), (error: ProviderCallError) => error.message.includes(dir));
    });
});
