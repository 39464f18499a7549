/** The conflict retry both backends share (provider/backends/conflicts.ts). */
import { strict as assert } from "assert";
import { retryingConflicts, WRITE_ATTEMPTS } from "../../provider/backends/conflicts";
import { ConfigChangedError } from "../../provider/stores/configFile";
import { rejection } from "../support/rejection";

describe("retryingConflicts", function () {
    it("tries again after a conflict and returns the first result that is not one", async function () {
        let tries = 0;
        const result = await retryingConflicts("web01:applicationHost.config", async () => {
            tries++;
            if (tries < 3) throw new ConfigChangedError("web01:applicationHost.config", `try ${tries}`);
            return "written";
        });
        assert.equal(result, "written");
        assert.equal(tries, 3);
    });

    it(`gives up after ${WRITE_ATTEMPTS} conflicts, saying how often it tried and what the last conflict was`, async function () {
        let tries = 0;
        const error = await rejection(retryingConflicts("web01:applicationHost.config", async () => {
            tries++;
            throw new ConfigChangedError("web01:C:\\config\\applicationHost.config", `found SHA-256 ${tries}`);
        }));
        assert.equal(tries, WRITE_ATTEMPTS);
        assert.ok(error instanceof ConfigChangedError);
        assert.equal(error.message, `web01:applicationHost.config changed since it was read (it changed on each of ${WRITE_ATTEMPTS} attempts: web01:C:\\config\\applicationHost.config changed since it was read (found SHA-256 ${WRITE_ATTEMPTS}); nothing was written); nothing was written`);
    });

    it("passes any other error on at once, untried again", async function () {
        let tries = 0;
        const error = await rejection(retryingConflicts("web01", async () => {
            tries++;
            throw new Error("access denied");
        }));
        assert.equal(tries, 1);
        assert.equal(error.message, "access denied");
    });
});
